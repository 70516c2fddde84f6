import { startUpstreamServer } from './fake-server';
import { fakeState, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';
import { openAIError, respondOpenAI } from './openai-responder';
import { newResponsesStore, respondResponses } from './responses-fake';

/** `stream_options` arrived with api-version 2024-09-01-preview (and the 2024-10-21 GA). */
function acceptsStreamOptions(apiVersion: string): boolean {
  return apiVersion.slice(0, 10) >= '2024-09-01';
}

/**
 * A fake Azure OpenAI resource on 127.0.0.1: the OpenAI payloads at
 * `/openai/deployments/{deployment}/{task}?api-version=...`. Requests without an `api-key`
 * header (or with the wrong one when `apiKey` is set) or without `api-version` get 401. The
 * deployment is reported as the model when the body has none. Knobs work as in startFakeOpenAI
 * (Azure deployment names cannot contain dots, so model-name knobs survive the dot removal).
 * Like Azure, api-versions before 2024-09-01(-preview) refuse a `stream_options` field with 400
 * "Unrecognized request argument supplied: stream_options"
 * (https://github.com/songquanpeng/one-api/issues/1423).
 */
export async function startFakeAzure(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  let baseUrl = '';
  const responses = newResponsesStore();
  const server = await startUpstreamServer(async (ctx) => {
    const { record, json } = ctx;
    const v1 = /^\/openai\/v1\/(responses(?:\/.*)?)$/.exec(record.path);
    const m = /^\/openai\/deployments\/([^/]+)\/(.+)$/.exec(record.path);
    if (!m && !v1) return json(404, { error: { code: '404', message: 'Resource not found' } });
    const key = ctx.req.headers['api-key'];
    const keyOk = opts.apiKey === undefined ? typeof key === 'string' && key !== '' : key === opts.apiKey;
    if (!keyOk) {
      return json(401, { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } });
    }
    // The v1 surface (Responses API): no deployment in the path, no api-version.
    if (v1) {
      // The body's model names a deployment, and deployment names cannot contain dots.
      const model = (record.body as { model?: unknown } | undefined)?.model;
      if (ctx.req.method === 'POST' && v1[1] === 'responses' && typeof model === 'string' && model.includes('.')) {
        return json(404, { error: { code: 'DeploymentNotFound', message: `The API deployment for this resource does not exist: ${model}` } });
      }
      if (await respondResponses(ctx, v1[1], state.knobs, responses, takeForcedStatus)) return;
      return json(404, { error: { code: '404', message: 'Resource not found' } });
    }
    if (!m) return;
    if (!record.query['api-version']) {
      return json(401, { error: { code: '401', message: 'fake Azure: the api-version query parameter is required.' } });
    }
    const body = record.body as { stream_options?: unknown } | undefined;
    if (typeof body === 'object' && body !== null && 'stream_options' in body && !acceptsStreamOptions(record.query['api-version'])) {
      return json(400, {
        error: {
          message: 'Unrecognized request argument supplied: stream_options. Please contact us through an Azure support request at: https://go.microsoft.com/fwlink/?linkid=2213926 for further questions.',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    }
    const deployment = decodeURIComponent(m[1]);
    if (await respondOpenAI({ ctx, task: m[2], fallbackModel: deployment, knobs: state.knobs, takeForcedStatus, baseUrl })) return;
    json(404, openAIError(404, `fake Azure: no route for ${ctx.req.method} ${record.path}`));
  });
  baseUrl = server.url;
  return controls(server);
}
