// polyts: a little string logic, tested with node's own test runner.
export function shout(text: string): string {
  if (text.length === 0) {
    return "";
  }
  return text.toUpperCase() + "!";
}

export function whisper(text: string): string {
  return text.toLowerCase();
}
