/** Types for dynalite 4, which ships none. */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** Milliseconds a new table stays `CREATING`. @default 500 */
    createTableMs?: number;
    /** Milliseconds a deleted table stays `DELETING`. @default 500 */
    deleteTableMs?: number;
    /** Milliseconds an updated table stays `UPDATING`. @default 500 */
    updateTableMs?: number;
    /** Maximum item size in KB. @default 400 */
    maxItemSizeKb?: number;
    /** LevelDB directory. Without it, the data stays in memory. */
    path?: string;
  }

  /** Creates an HTTP server for the DynamoDB API; the caller starts it. */
  function dynalite(options?: DynaliteOptions): Server;

  export = dynalite;
}
