// Types for cdktf's jest matchers (registered at runtime by setup.js).
import "cdktf/lib/testing/adapters/jest";
