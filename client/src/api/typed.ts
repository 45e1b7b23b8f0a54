/**
 * Calls to the server typed from its OpenAPI schema (`schema.generated.ts`, see docs/client.md).
 *
 *     api.get('/api/care/appointments/{appointment_id}', {
 *       path: { appointment_id: id },
 *       query: { tz: 'Europe/Paris' },
 *     });
 *
 * The path is one of the server's path templates, so a typo or a removed endpoint does not
 * compile; `path`, `query` and `body` are the operation's own parameter and body types (required
 * when the server requires them), and the promise resolves to its success response's JSON body
 * (`void` for 204). Underneath is `request` from ./http, so CSRF double-submit, the shared
 * refresh-once on an expired session and `ApiError` work exactly as for every other call.
 */
import type { components, paths } from './schema.generated';
import { request, type RequestOptions } from './http';

export type { components, paths };

/** A named schema of the server's API: `Schema<'AppointmentOut'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

/**
 * A response body as the server sends it. FastAPI serialises every field of a response model, so
 * a field with a default is always there (perhaps null), although the schema (Pydantic's
 * serialisation mode) marks it optional; this makes such fields required, in nested models too.
 */
export type Sent<T> = T extends object ? { [K in keyof T]-?: Sent<T[K]> } : T;

export type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';

/** The path templates that answer `method`. */
export type PathWith<M extends Method> = {
  [P in keyof paths]: M extends keyof paths[P] ? P : never;
}[keyof paths];

/** The operation at `path` and `method`. */
export type Operation<P extends keyof paths, M extends Method> = M extends keyof paths[P]
  ? paths[P][M]
  : never;

type ParamsOf<Op> = Op extends { parameters: infer Params } ? Params : object;

type PathOption<Op> = ParamsOf<Op> extends { path: infer Path } ? { path: Path } : { path?: never };

type QueryOption<Op> = ParamsOf<Op> extends { query: infer Query }
  ? { query: Query }
  : 'query' extends keyof ParamsOf<Op>
    ? ParamsOf<Op> extends { query?: infer Query }
      ? { query?: Query }
      : never
    : { query?: never };

type JsonBody<Op> = Op extends { requestBody?: { content: { 'application/json': infer Body } } }
  ? Body
  : never;

type BodyOption<Op> = 'requestBody' extends keyof Op
  ? Op extends { requestBody: unknown }
    ? { body: JsonBody<Op> }
    : { body?: JsonBody<Op> }
  : { body?: never };

/** What a call takes besides its path: path parameters, query, JSON body, request options. */
export type CallOptions<Op> = PathOption<Op> & QueryOption<Op> & BodyOption<Op> & RequestOptions;

/** The options argument, optional when nothing in it is required. */
type OptionsArg<Op> = object extends CallOptions<Op>
  ? [options?: CallOptions<Op>]
  : [options: CallOptions<Op>];

type JsonContent<Response> = Response extends { content: { 'application/json': infer Body } }
  ? Sent<Body>
  : unknown;

/** The JSON body of the operation's success response; `void` when it answers 204 No Content. */
export type Success<Op> = Op extends { responses: infer Responses }
  ? Responses extends { 200: infer Response }
    ? JsonContent<Response>
    : Responses extends { 201: infer Response }
      ? JsonContent<Response>
      : Responses extends { 202: infer Response }
        ? JsonContent<Response>
        : Responses extends { 204: unknown }
          ? void
          : unknown
  : never;

/** The JSON body answered by `method` on `path`. */
export type Answer<P extends keyof paths, M extends Method> = Success<Operation<P, M>>;

type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

interface LooseOptions extends RequestOptions {
  path?: Record<string, string | number>;
  query?: Record<string, QueryValue>;
  body?: unknown;
}

/** The options as plain data: their precise type was checked at the call. */
function loosen(options: unknown): LooseOptions {
  return (options ?? {}) as LooseOptions;
}

/** Fill a path template's `{name}` parts (each encoded) and append the query (unset values left out). */
function fill(template: string, options: LooseOptions): string {
  const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = options.path?.[name];
    // A programming error, caught by the types; never a value in the message (it may be an id).
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) query.append(key, String(item));
  }
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

/**
 * The URL of a GET endpoint with its parameters filled in, for what does not go through `api`:
 * downloads (`download` in ./http) and event streams (`EventSource`).
 */
export function apiUrl<P extends PathWith<'get'>>(
  path: P,
  ...[options]: OptionsArg<Operation<P, 'get'>>
): string {
  return fill(path, loosen(options));
}

function caller<M extends Method>(method: M) {
  return <P extends PathWith<M>>(
    path: P,
    ...[options]: OptionsArg<Operation<P, M>>
  ): Promise<Success<Operation<P, M>>> => {
    const loose = loosen(options);
    const { path: _path, query: _query, body, ...requestOptions } = loose;
    return request(method.toUpperCase(), fill(path, loose), body, requestOptions);
  };
}

/** The server's HTTP API, one typed function per method. */
export const api = {
  get: caller('get'),
  post: caller('post'),
  put: caller('put'),
  patch: caller('patch'),
  delete: caller('delete'),
};
