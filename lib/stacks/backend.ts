import { AzurermBackend, CloudBackend, LocalBackend, NamedCloudWorkspace, type TerraformStack } from "cdktf";
import type { BackendConfig } from "../config/schema";

/**
 * Where a local backend keeps state, relative to the stack's working directory
 * (`cdktf.out/stacks/<stack>/`): the project root, which is where cdktf itself would put it,
 * but written as a relative path so that the synthesized JSON holds no absolute path of the
 * machine that ran synth.
 */
export function localStatePath(stackId: string): string {
  return `../../../terraform.${stackId}.tfstate`;
}

/** Gives the stack the backend the environment asks for, with a state location unique to the stack. */
export function configureBackend(stack: TerraformStack, backend: BackendConfig, stackId: string): void {
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, { path: localStatePath(stackId) });
      return;
    case "azurerm":
      new AzurermBackend(stack, {
        resourceGroupName: backend.resourceGroupName,
        storageAccountName: backend.storageAccountName,
        containerName: backend.containerName,
        key: `${backend.keyPrefix}${stackId}.tfstate`,
        useAzureadAuth: backend.useAzureadAuth,
      });
      return;
    case "cloud":
      new CloudBackend(stack, {
        hostname: backend.hostname,
        organization: backend.organization,
        workspaces: new NamedCloudWorkspace(`${backend.workspacePrefix}${stackId}`),
      });
      return;
  }
}
