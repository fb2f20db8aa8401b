/**
 * @rectiflow/eval: how well a text-to-image model does what its prompts say.
 * @packageDocumentation
 */
export {};
