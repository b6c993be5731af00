// The part of netsuite-rest@1 (shipped without types) that the conformance test uses: the
// client's request method, which sends through got and answers got's response plus `data`.
// Its response is a spread copy of got's: `headers` (a getter) is lost, `rawHeaders` stays.
declare module 'netsuite-rest' {
  interface NetsuiteRestOptions {
    consumer_key: string;
    consumer_secret_key: string;
    token: string;
    token_secret: string;
    realm: string;
    base_url?: string;
  }
  interface NetsuiteRestResponse {
    statusCode: number;
    rawHeaders: string[];
    body: string;
    data: unknown;
  }
  export default class NetsuiteRest {
    constructor(options: NetsuiteRestOptions);
    request(opts: { path?: string; method?: string; body?: string; heads?: Record<string, string> }): Promise<NetsuiteRestResponse>;
  }
}
