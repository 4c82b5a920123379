/** The model layer: the registry of versions, their artifacts and the model families. */
export { ModelRegistry, RegistryError, stagingDirFor } from './model-registry';
