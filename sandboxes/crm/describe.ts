// Object metadata as Salesforce's describe calls answer it (`GET /sobjects`,
// `GET /sobjects/X`, `GET /sobjects/X/describe`), built from the org's schema.ts.
import { KEY_PREFIX, type SObjectName } from './ids.js';
import { OBJECTS, type FieldSpec, type FieldType } from './schema.js';

const PLURAL: Record<SObjectName, string> = { Account: 'Accounts', Contact: 'Contacts', Opportunity: 'Opportunities' };

const SOAP_TYPE: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  picklist: 'xsd:string',
  url: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  boolean: 'xsd:boolean',
};

/** A field's label as Setup shows it: `Billing_Status__c` → "Billing Status", `AccountId` → "Account ID". */
export function fieldLabel(name: string): string {
  if (name === 'Id') return `Record ID`;
  return name
    .replace(/__c$/, '')
    .replace(/Id$/, ' ID')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/\s+/g, ' ')
    .trim();
}

function describeField(object: SObjectName, name: string, spec: FieldSpec) {
  const custom = name.endsWith('__c');
  const text = spec.type === 'string' || spec.type === 'url' || spec.type === 'email' || spec.type === 'phone' || spec.type === 'picklist';
  const number = spec.type === 'currency' || spec.type === 'percent';
  const length = spec.type === 'id' || spec.type === 'reference' ? 18 : text ? (spec.maxLength ?? 255) : 0;
  return {
    aggregatable: true,
    autoNumber: false,
    byteLength: length * 3,
    calculated: false,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: null,
    controllerName: null,
    createable: spec.writable,
    custom,
    defaultValue: null,
    defaultValueFormula: null,
    defaultedOnCreate: !spec.writable || (object !== 'Contact' && name === 'CurrencyIsoCode'),
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: spec.externalId ?? false,
    extraTypeInfo: null,
    filterable: true,
    filteredLookupInfo: null,
    groupable: spec.type !== 'currency' && spec.type !== 'percent',
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: name === 'Id' || (spec.externalId ?? false),
    inlineHelpText: null,
    label: fieldLabel(name),
    length,
    mask: null,
    maskType: null,
    name,
    nameField: name === 'Name',
    namePointing: false,
    // System fields are never null; a required field may not be set to null.
    nillable: spec.writable && !spec.required && spec.type !== 'boolean',
    permissionable: spec.writable && !spec.required,
    picklistValues: (spec.picklist ?? []).map((value) => ({ active: true, defaultValue: false, label: value, validFor: null, value })),
    precision: number ? 18 : 0,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: spec.references ? [spec.references] : [],
    relationshipName: spec.relationshipName ?? null,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: spec.type === 'picklist',
    scale: spec.type === 'currency' ? 2 : 0,
    soapType: SOAP_TYPE[spec.type],
    sortable: true,
    type: spec.type,
    unique: spec.externalId ?? false,
    updateable: spec.writable,
    writeRequiresMasterRead: false,
  };
}

/** The describeGlobal entry of an object (also the `objectDescribe` of `GET /sobjects/X`). */
export function describeGlobalEntry(apiVersion: string, object: SObjectName) {
  const base = `/services/data/${apiVersion}/sobjects/${object}`;
  return {
    activateable: false,
    createable: true,
    custom: false,
    customSetting: false,
    deepCloneable: false,
    deletable: true,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: KEY_PREFIX[object],
    label: object,
    labelPlural: PLURAL[object],
    layoutable: true,
    mergeable: object !== 'Opportunity',
    mruEnabled: true,
    name: object,
    queryable: true,
    replicateable: true,
    retrieveable: true,
    searchable: true,
    triggerable: true,
    undeletable: true,
    updateable: true,
    urls: { rowTemplate: `${base}/{ID}`, describe: `${base}/describe`, sobject: base },
  };
}

/** The full describe of an object: its fields, and the children that point at it. */
export function describeObject(apiVersion: string, object: SObjectName) {
  const childRelationships = (Object.keys(OBJECTS) as SObjectName[]).flatMap((child) =>
    Object.entries(OBJECTS[child])
      .filter(([, spec]) => spec.references === object)
      .map(([field]) => ({
        cascadeDelete: object === 'Account',
        childSObject: child,
        deprecatedAndHidden: false,
        field,
        junctionIdListNames: [],
        junctionReferenceTo: [],
        relationshipName: PLURAL[child],
        restrictedDelete: false,
      })),
  );
  return {
    ...describeGlobalEntry(apiVersion, object),
    actionOverrides: [],
    childRelationships,
    compactLayoutable: true,
    fields: Object.entries(OBJECTS[object]).map(([name, spec]) => describeField(object, name, spec)),
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: [],
    searchLayoutable: true,
    supportedScopes: [{ label: 'All', name: 'everything' }],
  };
}
