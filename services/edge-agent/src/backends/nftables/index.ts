export { createNftablesBackend, NftablesBackend, type NftablesLog, type NftablesOptions } from './backend.js'
export { listSets, NftError } from './nft.js'
export { type Hook, setBase, setName, type Verdict } from './script.js'
