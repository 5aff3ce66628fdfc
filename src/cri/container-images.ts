// ListContainers read for the in-use check only: each container's ID, image and image ID. The
// remover lists containers before every removal round trip (worker/fresh-usage.ts), so on a node
// with a few hundred containers the listing's decoding was most of its CPU (docs/worker.md,
// "Containers on the node"). A container's images are fixed when it is made, so a container seen
// before is recognised by its ID, which the runtime writes first, and the rest of its record is
// skipped unread.
import { ProtoReader } from "./proto-reader.ts";
import type { ContainerImages } from "./types.ts";

/** ImageSpec { string image = 1 } */
function imageOfSpec(spec: ProtoReader): string {
  let image = "";
  while (spec.next()) {
    if (spec.field === 1 && spec.wireType === 2) image = spec.string();
    else spec.skip();
  }
  return image;
}

/** Container { id = 1; ImageSpec image = 4; image_ref = 5; image_id = 10 }, from its next field on. */
function readContainer(container: ProtoReader, idRead = ""): ContainerImages {
  let image = "";
  let imageRef = "";
  let imageId = "";
  let id = idRead;
  while (container.next()) {
    const { field, wireType } = container;
    if (wireType !== 2) container.skip();
    else if (field === 1) id = container.string();
    else if (field === 4) image = imageOfSpec(container.message());
    else if (field === 5) imageRef = container.string();
    else if (field === 10) imageId = container.string();
    else container.skip();
  }
  // image_id (CRI 1.31+) is the image's ID where image_ref may be a digest reference.
  return { id, image, imageRef: imageId === "" ? imageRef : imageId };
}

/** ListContainersResponse { repeated Container containers = 1 } */
export function decodeContainerImages(buffer: Buffer, seen?: ReadonlyMap<string, ContainerImages>): ContainerImages[] {
  const containers: ContainerImages[] = [];
  const response = new ProtoReader(buffer);
  while (response.next()) {
    if (response.field !== 1 || response.wireType !== 2) {
      response.skip();
      continue;
    }
    const container = response.message();
    if (container.next() && container.field === 1 && container.wireType === 2) {
      const id = container.string();
      const known = seen?.get(id);
      containers.push(known ?? readContainer(container, id));
    } else {
      // Not the order a protobuf encoder writes, but valid: read the whole record.
      container.rewind();
      containers.push(readContainer(container));
    }
  }
  return containers;
}
