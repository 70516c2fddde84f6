import { fromCohereRerankResponse, rerankDocumentText, toCohereRerankRequest } from './rerank';

describe('Cohere rerank v2 conversion', () => {
  it('sends documents as strings and only the fields v2 accepts', () => {
    const body = { model: 'rerank-v3.5', query: 'q', documents: ['a', { text: 'b' }], top_n: 1, return_documents: true, max_chunks_per_doc: 3 };
    expect(toCohereRerankRequest(body)).toEqual({ model: 'rerank-v3.5', query: 'q', documents: ['a', 'b'], top_n: 1 });
  });

  it('restores the documents the client asked back, by index, and keeps Cohere meta', () => {
    const request = { documents: ['a', { text: 'b' }], return_documents: true };
    const reply = { id: 'r1', results: [{ index: 1, relevance_score: 0.9 }, { index: 0, relevance_score: 0.1 }], meta: { billed_units: { search_units: 1 } } };
    expect(fromCohereRerankResponse(reply, request, 'my-model')).toEqual({
      id: 'r1',
      model: 'my-model',
      results: [
        { index: 1, relevance_score: 0.9, document: { text: 'b' } },
        { index: 0, relevance_score: 0.1, document: { text: 'a' } },
      ],
      meta: { billed_units: { search_units: 1 } },
    });
    expect(fromCohereRerankResponse(reply, { documents: ['a', 'b'] }, 'm').results).toEqual([{ index: 1, relevance_score: 0.9 }, { index: 0, relevance_score: 0.1 }]);
  });

  it('reads a document text from a string or a {text} object', () => {
    expect([rerankDocumentText('x'), rerankDocumentText({ text: 'y' }), rerankDocumentText({}), rerankDocumentText(3)]).toEqual(['x', 'y', '', '']);
  });
});
