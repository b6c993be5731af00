// The database's tables, as kysely types. Each module adds its own tables by
// augmenting this interface from its own file:
//   declare module '<path>/core/store/schema.js' { interface Database { my_table: MyTable } }
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty on purpose: every table arrives by augmentation
export interface Database {}
