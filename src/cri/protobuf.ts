// Just enough protobuf wire format for the CRI messages we use: varints, length-delimited fields
// (strings, bytes, nested messages, map entries). Hand-written so the worker needs no runtime
// .proto parsing (start-up time and memory, see docs/adr/0004).

export class ProtoWriter {
  readonly #chunks: Buffer[] = [];

  #varint(value: number | bigint): void {
    let v = BigInt(value);
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v > 0n);
    this.#chunks.push(Buffer.from(bytes));
  }

  #tag(field: number, wireType: number): void {
    this.#varint((field << 3) | wireType);
  }

  string(field: number, value: string | undefined): this {
    if (value === undefined || value === "") return this;
    return this.bytes(field, Buffer.from(value, "utf8"));
  }

  bytes(field: number, value: Buffer): this {
    this.#tag(field, 2);
    this.#varint(value.length);
    this.#chunks.push(value);
    return this;
  }

  bool(field: number, value: boolean | undefined): this {
    if (value !== true) return this;
    this.#tag(field, 0);
    this.#varint(1);
    return this;
  }

  /** A uint32/uint64/enum field; zero, the default, is not written. */
  uint(field: number, value: number): this {
    if (value === 0) return this;
    this.#tag(field, 0);
    this.#varint(value);
    return this;
  }

  message(field: number, value: ProtoWriter | undefined): this {
    if (value === undefined) return this;
    return this.bytes(field, value.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

export type FieldValue = { wireType: 0; value: bigint } | { wireType: 2; value: Buffer } | { wireType: 1 | 5; value: Buffer };

/** Reads every field of a message: field number -> values in order (repeated fields keep all). */
export function readFields(buffer: Buffer): Map<number, FieldValue[]> {
  const fields = new Map<number, FieldValue[]>();
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (offset >= buffer.length) throw new Error("protobuf: truncated varint");
      const byte = buffer[offset++] ?? 0;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (offset < buffer.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wireType = key & 7;
    let value: FieldValue;
    if (wireType === 0) value = { wireType, value: varint() };
    else if (wireType === 2) {
      const length = Number(varint());
      if (offset + length > buffer.length) throw new Error("protobuf: truncated field");
      value = { wireType, value: buffer.subarray(offset, offset + length) };
      offset += length;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      value = { wireType, value: buffer.subarray(offset, offset + size) };
      offset += size;
    } else {
      throw new Error(`protobuf: unsupported wire type ${wireType}`);
    }
    const list = fields.get(field);
    if (list === undefined) fields.set(field, [value]);
    else list.push(value);
  }
  return fields;
}

export function fieldString(fields: Map<number, FieldValue[]>, field: number): string {
  const last = fields.get(field)?.at(-1);
  return last?.wireType === 2 ? last.value.toString("utf8") : "";
}

export function fieldStrings(fields: Map<number, FieldValue[]>, field: number): string[] {
  return (fields.get(field) ?? []).filter((v) => v.wireType === 2).map((v) => v.value.toString("utf8"));
}

export function fieldMessages(fields: Map<number, FieldValue[]>, field: number): Buffer[] {
  return (fields.get(field) ?? []).filter((v) => v.wireType === 2).map((v) => v.value);
}

export function fieldMessage(fields: Map<number, FieldValue[]>, field: number): Map<number, FieldValue[]> | undefined {
  const last = fieldMessages(fields, field).at(-1);
  return last === undefined ? undefined : readFields(last);
}

export function fieldNumber(fields: Map<number, FieldValue[]>, field: number): number {
  const last = fields.get(field)?.at(-1);
  return last?.wireType === 0 ? Number(last.value) : 0;
}

export function fieldBool(fields: Map<number, FieldValue[]>, field: number): boolean {
  return fieldNumber(fields, field) !== 0;
}

/** A `map<string, string>` field: repeated entries {key = 1, value = 2}. */
export function fieldMap(fields: Map<number, FieldValue[]>, field: number): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of fieldMessages(fields, field)) {
    const e = readFields(entry);
    map[fieldString(e, 1)] = fieldString(e, 2);
  }
  return map;
}
