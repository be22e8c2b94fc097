import { DEFAULTS } from "../domain/defaults";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import { Construct } from "constructs";

export interface LogAnalyticsProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** @default DEFAULTS.logRetentionDays */
  readonly retentionInDays?: number;
  /** Accept data from public networks; off behind an Azure Monitor private link scope. No default: the caller decides. */
  readonly publicIngestion: boolean;
  /** Answer queries from public networks. No default: the caller decides. */
  readonly publicQuery: boolean;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * The hub's Log Analytics workspace: firewall logs, cluster diagnostics and Container
 * Insights all land here. Local (shared key) authentication is off: agents and diagnostic
 * settings authenticate with Entra ID.
 */
export class LogAnalytics extends Construct {
  public readonly workspace: LogAnalyticsWorkspace;

  constructor(scope: Construct, id: string, props: LogAnalyticsProps) {
    super(scope, id);
    this.workspace = new LogAnalyticsWorkspace(this, "workspace", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: "PerGB2018",
      retentionInDays: props.retentionInDays ?? DEFAULTS.logRetentionDays,
      localAuthenticationEnabled: false,
      internetIngestionEnabled: props.publicIngestion,
      internetQueryEnabled: props.publicQuery,
      tags: props.tags,
    });
  }

  public get workspaceId(): string {
    return this.workspace.id;
  }
}

export interface DiagnosticsProps {
  /** The resource whose logs are sent. */
  readonly targetResourceId: string;
  readonly workspaceId: string;
  /** Log categories to send. */
  readonly logCategories: readonly string[];
  /** Resource-specific tables (`Dedicated`) rather than AzureDiagnostics. @default true */
  readonly resourceSpecific?: boolean;
  /** @default true: AllMetrics */
  readonly metrics?: boolean;
}

/** A diagnostic setting sending a resource's logs (and metrics) to a Log Analytics workspace. */
export class Diagnostics extends Construct {
  public readonly setting: MonitorDiagnosticSetting;

  constructor(scope: Construct, id: string, props: DiagnosticsProps) {
    super(scope, id);
    this.setting = new MonitorDiagnosticSetting(this, "setting", {
      name: "to-log-analytics",
      targetResourceId: props.targetResourceId,
      logAnalyticsWorkspaceId: props.workspaceId,
      logAnalyticsDestinationType: props.resourceSpecific === false ? undefined : "Dedicated",
      enabledLog: props.logCategories.map((category) => ({ category })),
      enabledMetric: props.metrics === false ? undefined : [{ category: "AllMetrics" }],
    });
  }
}
