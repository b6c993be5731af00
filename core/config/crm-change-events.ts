// How the layer receives the CRM's change events: by subscribing to Change Data Capture through
// the Streaming API with a stored replay id (default), or from an event relay posting signed
// webhooks to /webhooks/crm.
import { z } from 'zod';
import { read, type Env } from './parse.js';

export interface CrmChangeEventsConfig {
  mode: 'streaming' | 'relay';
  /** The CometD channel: `/data/ChangeEvents`, `/data/<Object>ChangeEvent` or a custom `/data/<Name>__chn`. */
  channel: string;
}

export function crmChangeEventsConfig(env: Env): CrmChangeEventsConfig {
  return {
    mode: read(env, 'CRM_CHANGE_EVENTS', z.enum(['streaming', 'relay']).default('streaming')),
    channel: read(
      env,
      'CRM_CHANGE_EVENTS_CHANNEL',
      z
        .string()
        .regex(
          /^\/data\/(?:ChangeEvents|\w+ChangeEvent|\w+__chn)$/,
          'must be /data/ChangeEvents, /data/<Object>ChangeEvent or /data/<Name>__chn',
        )
        .default('/data/ChangeEvents'),
    ),
  };
}
