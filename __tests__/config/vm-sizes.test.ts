import { vmCapacity } from "../../lib/domain/vm-sizes";

describe("VM sizes read from their names", () => {
  test.each([
    ["Standard_D4ds_v6", { vcpus: 4, maxMemoryGib: 16 }],
    ["Standard_E8-4ds_v5", { vcpus: 4, maxMemoryGib: 64 }],
    ["Standard_F16s_v2", { vcpus: 16, maxMemoryGib: 32 }],
    ["Standard_B2ms", { vcpus: 2, maxMemoryGib: 8 }],
    ["Standard_M64s_v3", { vcpus: 64, maxMemoryGib: undefined }],
  ])("%s", (size, capacity) => expect(vmCapacity(size)).toEqual(capacity));

  test("sizes of older generations, whose names do not count vCPUs, are not read", () => {
    // D11_v2 has 2 vCPUs and 14 GiB; DS3_v2 has 4 vCPUs.
    expect(vmCapacity("Standard_D11_v2")).toBeUndefined();
    expect(vmCapacity("Standard_DS3_v2")).toBeUndefined();
    expect(vmCapacity("Standard_NC24ads_A100_v4")).toBeUndefined();
  });
});
