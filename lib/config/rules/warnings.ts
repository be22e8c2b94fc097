/** What is allowed but most likely not meant. */
import { type Problem } from "../../core/problem";
import { type Environment } from "../schema";
import { isSampleKey } from "../ssh-key";
import { isSampleCa } from "../ca-certificate";

/**
 * What is allowed but most likely not meant: printed as `<file>: <field>: warning: ...` by
 * synth and `validate`, after the output passed every check.
 */
export function checkWarnings(env: Environment): Problem[] {
  const warnings: Problem[] = [];
  env.spokes.forEach((s, i) => {
    if (s.cluster.userPools.length === 0) {
      warnings.push({ path: `spokes.${i}.cluster.userPools`, message: `is empty (spoke ${s.name}): the system pool takes only critical add-ons, so any other pod on this cluster stays Pending; add a user pool, e.g. [{ name: apps, minCount: 1, maxCount: 3 }]` });
    }
  });
  if (env.onPremises.length > 0 && !env.hub.gateway && !env.hub.existing?.gateway) {
    warnings.push({ path: "onPremises", message: "lists on-premises ranges, but the hub has no gateway (hub.gateway, or hub.existing.gateway for an existing hub): nothing routes them here, yet the firewall and the jumpbox admit them as sources" });
  }
  const key = env.hub.jumpbox?.sshPublicKey;
  if (key !== undefined && isSampleKey(key)) {
    warnings.push({ path: "hub.jumpbox.sshPublicKey", message: "is the sample key shipped in environments/keys/jumpbox.pub, whose private key is nobody's on your team: replace it with your team's public key before deploying" });
  }
  const tls = env.hub.firewall.tlsInspection;
  if (tls && !env.hub.existing) {
    if (isSampleCa(tls.caCertificate)) {
      warnings.push({ path: "hub.firewall.tlsInspection.caCertificate", message: "is the sample CA shipped in environments/certs/, whose private key nobody holds, so no firewall can use it: give your PKI's intermediate CA before deploying" });
    }
    if (!tls.certificateImported) {
      warnings.push({
        path: "hub.firewall.tlsInspection.certificateImported",
        message: `is false: TLS inspection is not on yet. Once the hub is deployed, the PKI team imports the CA (a password-less PFX with its key) through the vault's private endpoint, e.g. from the jumpbox: az keyvault certificate import --vault-name ${tls.keyVault.name} --name ${tls.certificateName} --file ca.pfx; then set certificateImported: true. Until then the spokes' egress.tlsInspection destinations are allowed without inspection`,
      });
    }
  }
  return warnings;
}
