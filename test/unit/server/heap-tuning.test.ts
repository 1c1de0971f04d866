import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HEAP_GROWING_PERCENT, tuneHeapGrowth } from "../../../src/server/heap-tuning.js";

describe("heap tuning", () => {
  test("heap tuning – sets the growing percent when the node command line does not", () => {
    assert.equal(HEAP_GROWING_PERCENT, 100);
    assert.equal(tuneHeapGrowth([]), HEAP_GROWING_PERCENT);
    assert.equal(tuneHeapGrowth(["--enable-source-maps", "--heap-growing-percentage=5"]), HEAP_GROWING_PERCENT, "a different flag is not the operator's choice");
  });

  test("heap tuning – an operator's --heap-growing-percent (either spelling) is left in force", () => {
    for (const arg of ["--heap-growing-percent=30", "--heap_growing_percent=30", "--heap-growing-percent"]) {
      assert.equal(tuneHeapGrowth(["--enable-source-maps", arg]), undefined, arg);
    }
  });
});
