export * from './asn-db.js'
