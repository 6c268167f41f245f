/**
 * Messages from the backend are lower-case phrases ("the provider had an internal error");
 * where one stands alone as a sentence, it gets a capital and a full stop.
 */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === "") return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…)]$/.test(first) ? first : `${first}.`;
}

/** A phrase that ends a sentence begun elsewhere ("…: the reason"): gets a full stop. */
export function finished(text: string): string {
  const t = text.trim();
  return t === "" || /[.!?…]$/.test(t) ? t : `${t}.`;
}

/** Whether comparing base strings can help: the provider refused the signature itself. */
export function isSignatureFailure(kindOrMessage: string[]): boolean {
  return kindOrMessage.some((s) => /signature/i.test(s));
}
