import { startUpstreamServer } from './fake-server';
import { fakeState, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';
import { openAIError, respondOpenAI } from './openai-responder';

/**
 * A fake Azure OpenAI resource on 127.0.0.1: the OpenAI payloads at
 * `/openai/deployments/{deployment}/{task}?api-version=...`. Requests without an `api-key`
 * header (or with the wrong one when `apiKey` is set) or without `api-version` get 401. The
 * deployment is reported as the model when the body has none. Knobs work as in startFakeOpenAI
 * (Azure deployment names cannot contain dots, so model-name knobs survive the dot removal).
 */
export async function startFakeAzure(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  let baseUrl = '';
  const server = await startUpstreamServer(async (ctx) => {
    const { record, json } = ctx;
    const m = /^\/openai\/deployments\/([^/]+)\/(.+)$/.exec(record.path);
    if (!m) return json(404, { error: { code: '404', message: 'Resource not found' } });
    const key = ctx.req.headers['api-key'];
    const keyOk = opts.apiKey === undefined ? typeof key === 'string' && key !== '' : key === opts.apiKey;
    if (!keyOk) {
      return json(401, { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } });
    }
    if (!record.query['api-version']) {
      return json(401, { error: { code: '401', message: 'fake Azure: the api-version query parameter is required.' } });
    }
    const deployment = decodeURIComponent(m[1]);
    if (await respondOpenAI({ ctx, task: m[2], fallbackModel: deployment, knobs: state.knobs, takeForcedStatus, baseUrl })) return;
    json(404, openAIError(404, `fake Azure: no route for ${ctx.req.method} ${record.path}`));
  });
  baseUrl = server.url;
  return controls(server);
}
