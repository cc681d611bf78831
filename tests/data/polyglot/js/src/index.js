// polyjs: a little string logic, tested with node's own test runner.
export function shout(text) {
  if (text.length === 0) {
    return "";
  }
  return text.toUpperCase() + "!";
}

export function whisper(text) {
  return text.toLowerCase();
}
