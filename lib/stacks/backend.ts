import * as path from "path";
import { App, AzurermBackend, CloudBackend, LocalBackend, NamedCloudWorkspace, type TerraformStack } from "cdktf";
import type { BackendConfig } from "../config/schema";

/**
 * Where a local backend keeps state: `terraform.<stack>.tfstate` in the project folder (the
 * working directory synth runs in, where cdktf.json is; where cdktf itself would put it),
 * written relative to the stack's own folder (`<output>/stacks/<stack>/`, where Terraform
 * runs), so that the JSON holds no absolute path of the machine that ran synth. With the
 * default output folder that is `../../../terraform.<stack>.tfstate`; an output folder
 * elsewhere (`cdktf synth --output /tmp/out`) still keeps state in the project.
 */
export function localStatePath(stackId: string, outdir: string, projectDir: string = process.cwd()): string {
  const stackDir = path.resolve(projectDir, outdir, "stacks", stackId);
  return path.relative(stackDir, path.join(path.resolve(projectDir), `terraform.${stackId}.tfstate`)).split(path.sep).join("/");
}

/** Gives the stack the backend the environment asks for, with a state location unique to the stack. */
export function configureBackend(stack: TerraformStack, backend: BackendConfig, stackId: string): void {
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, { path: localStatePath(stackId, App.of(stack).outdir) });
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
