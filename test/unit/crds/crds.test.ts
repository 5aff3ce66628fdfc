// Structure checks of the shipped CRDs; the integration tier applies them to a real API server.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

const SchemaNode = z.looseObject({
  type: z.string().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  items: z.unknown().optional(),
  required: z.array(z.string()).optional(),
});
const Crd = z.object({
  apiVersion: z.literal("apiextensions.k8s.io/v1"),
  kind: z.literal("CustomResourceDefinition"),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    group: z.string(),
    scope: z.string(),
    names: z.object({ kind: z.string(), plural: z.string(), singular: z.string() }),
    versions: z.array(
      z.object({
        name: z.string(),
        served: z.boolean(),
        storage: z.boolean(),
        deprecated: z.boolean().optional(),
        deprecationWarning: z.string().optional(),
        subresources: z.object({ status: z.object({}) }),
        additionalPrinterColumns: z.array(z.object({ name: z.string(), type: z.string(), jsonPath: z.string(), priority: z.optional(z.number()) })),
        schema: z.object({ openAPIV3Schema: SchemaNode }),
      }),
    ),
  }),
});

const load = (file: string): z.infer<typeof Crd> => Crd.parse(parse(readFileSync(new URL(`../../../crds/${file}`, import.meta.url), "utf8")));

/** Every node of a structural schema has a type; properties only on objects, items only on arrays. */
function assertStructural(node: unknown, path: string): void {
  const n = SchemaNode.parse(node);
  assert.ok(n.type !== undefined, `${path} has no type`);
  if (n.properties) {
    assert.equal(n.type, "object", `${path} has properties but is not an object`);
    for (const [key, child] of Object.entries(n.properties)) assertStructural(child, `${path}.${key}`);
  }
  if (n.items !== undefined) {
    assert.equal(n.type, "array", `${path} has items but is not an array`);
    assertStructural(n.items, `${path}[]`);
  }
}

describe("CRDs", () => {
  for (const [file, kind, plural] of [
    ["imagelist.yaml", "ImageList", "imagelists"],
    ["imagejob.yaml", "ImageJob", "imagejobs"],
  ] as const) {
    test(`${kind}: eraser.sh, cluster-scoped, v1 stored, v1alpha1 served and deprecated, status subresource`, () => {
      const crd = load(file);
      assert.equal(crd.metadata.name, `${plural}.eraser.sh`);
      assert.equal(crd.spec.group, "eraser.sh");
      assert.equal(crd.spec.scope, "Cluster");
      assert.equal(crd.spec.names.kind, kind);
      const [v1, v1alpha1] = crd.spec.versions;
      assert.deepEqual([v1?.name, v1?.served, v1?.storage], ["v1", true, true]);
      assert.deepEqual([v1alpha1?.name, v1alpha1?.served, v1alpha1?.storage, v1alpha1?.deprecated], ["v1alpha1", true, false, true]);
      assert.deepEqual(v1alpha1?.schema, v1?.schema, "both versions share one schema (no conversion needed)");
      for (const version of crd.spec.versions) assertStructural(version.schema.openAPIV3Schema, `${kind}.${version.name}`);
    });
  }

  test("ImageList requires spec.images and refuses empty entries", () => {
    const schema = load("imagelist.yaml").spec.versions[0]!.schema.openAPIV3Schema;
    const spec = SchemaNode.parse(schema.properties?.["spec"]);
    assert.deepEqual(spec.required, ["images"]);
    assert.deepEqual(SchemaNode.parse(spec.properties?.["images"]).items, { type: "string", minLength: 1 });
  });

  test("kubectl get imagejobs shows phase, desired, succeeded, failed and age", () => {
    const columns = load("imagejob.yaml").spec.versions[0]!.additionalPrinterColumns.map((c) => c.name);
    for (const name of ["Phase", "Desired", "Succeeded", "Failed", "Age"]) assert.ok(columns.includes(name), `missing ${name}`);
  });

  test("kubectl get imagejobs -o wide adds what the job removed, found vulnerable and could not judge, in both versions", () => {
    for (const version of load("imagejob.yaml").spec.versions) {
      const wide = version.additionalPrinterColumns.filter((c) => c.priority === 1);
      assert.deepEqual(wide.map((c) => [c.name, c.jsonPath]), [["Removed", ".status.removed"], ["Vulnerable", ".status.vulnerable"], ["Unjudged", ".status.unjudged"]]);
    }
  });
});
