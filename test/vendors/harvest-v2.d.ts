// The part of harvest-v2@3 (shipped without types) that the conformance test uses: the client
// built from a personal access token, and its resources' list, listBy, retrieve, create and update.
// Each answers the parsed JSON body whatever the status; baseUri is a plain property.
declare module 'harvest-v2' {
  interface HarvestResource {
    baseUri: string;
    list(): Promise<unknown>;
    listBy(params: Record<string, string | number | boolean>): Promise<unknown>;
    retrieve(id: number): Promise<unknown>;
    create(params: Record<string, unknown>): Promise<unknown>;
    update(id: number, params: Record<string, unknown>): Promise<unknown>;
  }
  export default class Harvest {
    constructor(config: { account_ID: string; access_token: string; user_agent: string });
    timeEntries: HarvestResource;
    expenses: HarvestResource;
    projects: HarvestResource;
    clients: HarvestResource;
    users: HarvestResource;
  }
}
