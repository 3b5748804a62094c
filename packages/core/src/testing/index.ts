// @tezsigner/core/testing: what a library user needs to test against tezsigner's ports and
// protocol without reading its parser: the contracts of the ports as code, and request builders.
export { PortContractError, type CheckedPort } from './contract-error.js';
export { checkWatermarkStore, WATERMARK_STORE_RULES, type OpenWatermarkStore, type WatermarkStoreCheckOptions } from './check-watermark-store.js';
export {
  buildBlockRequest,
  buildPreattestationRequest,
  buildAttestationRequest,
  MAINNET_CHAIN_ID,
  type BlockRequestFields,
  type PreattestationRequestFields,
  type AttestationRequestFields,
  type ConsensusSigner,
} from './consensus-requests.js';
export { checkKeyProvider, KEY_PROVIDER_RULES, type KeyProviderCheckOptions } from './check-key-provider.js';
