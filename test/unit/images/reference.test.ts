import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { isImageId, normalizeImageReference, parseImageReference } from "../../../src/images/reference.ts";

const hex = "a".repeat(64);
const hexB = "0123456789abcdef".repeat(4);

describe("normalising image references like the runtime", () => {
  const cases: [input: string, normalised: string][] = [
    ["nginx", "docker.io/library/nginx:latest"],
    ["nginx:1.25", "docker.io/library/nginx:1.25"],
    ["library/nginx", "docker.io/library/nginx:latest"],
    ["docker.io/nginx", "docker.io/library/nginx:latest"],
    ["docker.io/library/nginx:1.25", "docker.io/library/nginx:1.25"],
    ["index.docker.io/library/nginx", "docker.io/library/nginx:latest"],
    ["user/app", "docker.io/user/app:latest"],
    ["user/app:v2", "docker.io/user/app:v2"],
    ["docker.io/user/app", "docker.io/user/app:latest"],
    ["busybox:1.0", "docker.io/library/busybox:1.0"],
    ["alpine:3.7.3", "docker.io/library/alpine:3.7.3"],
    ["docker.io/library/alpine:3.7.3", "docker.io/library/alpine:3.7.3"],
    ["ghcr.io/eraser-dev/remover:v1.4.1", "ghcr.io/eraser-dev/remover:v1.4.1"],
    ["mcr.microsoft.com/oss/kubernetes/pause:3.6", "mcr.microsoft.com/oss/kubernetes/pause:3.6"],
    ["registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9"],
    ["quay.io/org/team/app", "quay.io/org/team/app:latest"],
    ["localhost:5000/app", "localhost:5000/app:latest"],
    ["localhost:5000/app:dev", "localhost:5000/app:dev"],
    ["localhost/app", "localhost/app:latest"],
    ["localhost/app:1", "localhost/app:1"],
    ["myregistry:5000/team/app:2", "myregistry:5000/team/app:2"],
    ["10.0.0.1:5000/app", "10.0.0.1:5000/app:latest"],
    ["a-b.example.com/x_y/z__w/v-1.2:t", "a-b.example.com/x_y/z__w/v-1.2:t"],
    [`nginx@sha256:${hex}`, `docker.io/library/nginx@sha256:${hex}`],
    [`docker.io/library/nginx@sha256:${hex}`, `docker.io/library/nginx@sha256:${hex}`],
    [`nginx:1.25@sha256:${hex}`, `docker.io/library/nginx:1.25@sha256:${hex}`],
    [`localhost:5000/app@sha256:${hexB}`, `localhost:5000/app@sha256:${hexB}`],
    [`sha256:${hex}`, `sha256:${hex}`],
    ["app:V1_2.3-rc", "docker.io/library/app:V1_2.3-rc"],
    ["Registry.Example.com/app", "Registry.Example.com/app:latest"],
  ];
  for (const [input, normalised] of cases) {
    test(`${input} -> ${normalised}`, () => {
      assert.equal(normalizeImageReference(input), normalised);
    });
  }

  test("parts of a reference with a registry port, tag and digest", () => {
    assert.deepEqual(parseImageReference(`localhost:5000/team/app:1@sha256:${hex}`), {
      registry: "localhost:5000",
      repository: "team/app",
      name: "localhost:5000/team/app",
      tag: "1",
      digest: `sha256:${hex}`,
    });
  });
});

describe("malformed references are refused with the reason", () => {
  const cases: [input: string, reason: RegExp][] = [
    ["", /empty/],
    [" nginx", /white space/],
    ["Nginx", /lowercase/],
    ["docker.io/library/Nginx:1", /lowercase/],
    ["docker.io/library/benchA-1:1", /lowercase/],
    ["nginx:", /not a valid tag/],
    ["nginx:-bad", /not a valid tag/],
    [`nginx:${"t".repeat(129)}`, /not a valid tag/],
    ["nginx@sha256:abc", /digest/],
    [`nginx@sha256:${"A".repeat(64)}`, /64 lowercase hex/],
    ["nginx@", /not a digest/],
    ["user//app", /empty path component/],
    ["user/app/", /empty path component/],
    ["user/-app", /not a valid repository path component/],
    ["user/app..x", /not a valid repository path component/],
    ["bad_host.io:port/app", /not a valid registry host/],
    ["-host.io/app", /not a valid registry host/],
    ["host.io:99999999/app", /not a valid registry host/],
    [`sha256:${hex}`.toUpperCase(), /lowercase|not a valid/],
  ];
  for (const [input, reason] of cases) {
    test(JSON.stringify(input), () => {
      assert.throws(() => normalizeImageReference(input), (error: Error) => {
        assert.equal(error.name, "ImageReferenceError");
        assert.match(error.message, /^invalid image reference ".*"/);
        assert.match(error.message, reason);
        return true;
      });
    });
  }

  test("an image ID is recognised, and is not a parsable reference", () => {
    assert.equal(isImageId(`sha256:${hex}`), true);
    assert.equal(isImageId(`sha256:${hex.slice(1)}`), false);
    assert.throws(() => parseImageReference(`sha256:${hex}`), /image ID/);
  });
});
