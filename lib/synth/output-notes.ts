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
    // Stacks do not nest: the stack's subtree is its own constructs.
    const notes: WrittenNote[] = TerraformStack.of(this)
      .node.findAll()
      .flatMap((c) => notesOf(c).map((message) => ({ path: c.node.path, message })));
    return notes.length === 0 ? {} : { "//": { [NOTES_KEY]: { notes } } };
  }

  public override toMetadata(): Record<string, unknown> {
    return {};
  }
}
