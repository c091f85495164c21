// Unicode bidirectional formatting characters (UAX #9): embeddings, overrides, isolates and the
// implicit marks. In a name they reorder what is shown around them, so `gro.knab` can read as
// `bank.org`; wherever a network- or process-supplied string is shown to people they are replaced.

// U+061C ALM, U+200E LRM, U+200F RLM, U+202A–U+202E LRE RLE PDF LRO RLO, U+2066–U+2069 LRI RLI FSI PDI.
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text with every bidi control replaced by `replacement` (visible, so nothing hides). */
export function neutralizeBidi(text: string, replacement = '\ufffd'): string {
  return text.replace(BIDI_CONTROLS, replacement);
}
