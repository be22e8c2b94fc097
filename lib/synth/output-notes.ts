import { TerraformElement, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { NOTES_KEY, notesOf, type WrittenNote } from "../output/notes";

/**
 * The notes of a stack's constructs (core/notes.ts), written into the stack's file as a
 * comment Terraform ignores: `"//": { "private-aks": { "notes": [...] } }`. An element of the
 * stack, so that cdktf's own synthesis and the fast one write it alike.
 */
export class OutputNotes extends TerraformElement {
  public constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  public override toTerraform(): Record<string, unknown> {
    const stack = TerraformStack.of(this);
    const notes: WrittenNote[] = stack.node
      .findAll()
      .filter((c) => TerraformStack.of(c) === stack)
      .flatMap((c) => notesOf(c).map((message) => ({ path: c.node.path, message })));
    return notes.length === 0 ? {} : { "//": { [NOTES_KEY]: { notes } } };
  }

  public override toMetadata(): Record<string, unknown> {
    return {};
  }
}
