// Filled in by the durability work (issue 4).
