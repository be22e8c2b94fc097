// Adds cdktf's matchers (toHaveResource, toHaveResourceWithProperties, ...) to expect.
require("cdktf").Testing.setupJest();
