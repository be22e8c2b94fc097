/**
 * Where each field of the environment file may be written, from the schema itself: for an
 * unknown field, the field it most likely misspells, or the place it belongs when it is a
 * field of another part of the file.
 */
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { environmentSchema } from "./schema";

/** Each object of the schema by its path (`spokes[].cluster`; list items as `[]`), with its field names. */
let fieldsByPlace: Map<string, Set<string>> | undefined;

function places(): Map<string, Set<string>> {
  if (fieldsByPlace) return fieldsByPlace;
  const found = new Map<string, Set<string>>();
  const json = z.toJSONSchema(environmentSchema, { io: "input", unrepresentable: "any" }) as any;
  const defs = json.$defs ?? {};
  const walk = (s: any, at: string, depth: number): void => {
    if (!s || typeof s !== "object" || depth > 30) return;
    if (s.$ref) return walk(defs[String(s.$ref).split("/").pop() ?? ""], at, depth + 1);
    for (const k of ["anyOf", "oneOf", "allOf"]) for (const x of s[k] ?? []) walk(x, at, depth + 1);
    if (s.properties) {
      const names = found.get(at) ?? new Set<string>();
      for (const [k, v] of Object.entries(s.properties)) {
        names.add(k);
        walk(v, at === "" ? k : `${at}.${k}`, depth + 1);
      }
      found.set(at, names);
    }
    if (s.items) walk(s.items, `${at}[]`, depth + 1);
    if (s.additionalProperties && typeof s.additionalProperties === "object") walk(s.additionalProperties, `${at}.*`, depth + 1);
  };
  walk(json, "", 0);
  return (fieldsByPlace = found);
}

/** A path of the file (`["spokes", 0, "cluster"]`) as a place of the schema (`spokes[].cluster`). */
function placeOf(path: readonly PropertyKey[]): string {
  return path.map((s) => (typeof s === "number" ? "[]" : String(s))).join(".").replace(/\.\[\]/g, "[]");
}

/** A schema place written for the file at hand: `[]` filled with the indices of `near` where it runs alongside, else `[N]`. */
function written(place: string, near: readonly PropertyKey[]): string {
  const nearPlace = placeOf(near);
  let out = "";
  let i = 0;
  for (const part of place.split(/(\[\])/).filter((p) => p !== "")) {
    if (part === "[]") {
      const index = near.filter((s) => typeof s === "number")[i++];
      out += nearPlace.startsWith(out.replace(/\.\d+/g, "[]") + "[]") && index !== undefined ? `.${String(index)}` : "[N]";
    } else out += part;
  }
  return out;
}

/** What to say of an unknown field `key` at `path`: a spelling it is close to, or where it belongs. */
export function unknownFieldAdvice(path: readonly PropertyKey[], key: string): string {
  const all = places();
  const here = all.get(placeOf(path)) ?? new Set<string>();
  const candidates = [...here];
  if (candidates.length > 0) {
    const best = closest(key, candidates);
    if (distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(1, Math.floor(best.length / 4))) return `unknown field; did you mean ${best}?`;
  }
  const elsewhere = [...all].filter(([place, names]) => place !== placeOf(path) && names.has(key)).map(([place]) => written(place, path));
  if (elsewhere.length > 0) return `unknown field here; ${key} belongs in ${elsewhere.slice(0, 3).join(" or ")}`;
  return `unknown field; the fields here are ${candidates.join(", ")} (see docs/environment-file.md)`;
}
