/**
 * The intermediate CA certificate the firewall inspects TLS with: its public part, from the
 * user's PKI, checked against what Microsoft requires (domain/tls-inspection.ts), so that a
 * certificate Azure Firewall would refuse is a clear line at synth. The private key never
 * comes near the environment file or Terraform: the PKI team imports the PFX into the vault.
 */
import { X509Certificate } from "crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { BasicConstraints, Certificate, id_ce_basicConstraints, id_ce_keyUsage, KeyUsage, KeyUsageFlags } from "@peculiar/asn1-x509";
import { quote } from "../core/problem";
import { TLS_INSPECTION } from "../domain/tls-inspection";
import { type FileKind, readFileBeside } from "./files";

export type CertificateResult = { ok: true; pem: string } | { ok: false; errors: string[] };

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const CERTIFICATE_FILE: FileKind = {
  inline: "a PEM certificate",
  neither: "a PEM certificate (-----BEGIN CERTIFICATE-----)",
  file: "the certificate file",
  give: "a PEM certificate file (.crt)",
  sized: "a certificate file",
  maxBytes: 64 * 1024,
};
const DAY = 24 * 60 * 60 * 1000;
/** A PEM private key of any kind (RSA, EC, PKCS#8, encrypted). */
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** The certificate, from inline PEM or a file beside the environment file, checked as of `now`. */
export function resolveCaCertificate(value: string, baseDir: string, now: Date = new Date()): CertificateResult {
  const inline = value.trim();
  const privateKey = "holds a private key: never put the CA's private key in the environment file or next to it; give its certificate alone (the PKI team imports the PFX into the vault)";
  if (inline.startsWith("-----BEGIN")) return PRIVATE_KEY.test(inline) ? { ok: false, errors: [privateKey] } : checkCaCertificate(inline, now);
  const read = readFileBeside(value, baseDir, CERTIFICATE_FILE);
  if (!read.ok) return { ok: false, errors: [read.error] };
  if (PRIVATE_KEY.test(read.content)) return { ok: false, errors: [`${quote(value)} ${privateKey}`] };
  const checked = checkCaCertificate(read.content, now);
  return checked.ok ? checked : { ok: false, errors: checked.errors.map((e) => `${quote(value)} ${e}`) };
}

/** Every way a PEM certificate misses Microsoft's requirements for the firewall's intermediate CA. */
export function checkCaCertificate(text: string, now: Date): CertificateResult {
  const blocks: string[] = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) {
    // eslint-disable-next-line no-control-regex
    const binary = /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text);
    return { ok: false, errors: [binary ? "is not a PEM certificate but binary (DER, or a PFX, which holds the private key too): give the CA's certificate alone as PEM (openssl pkcs12 -in ca.pfx -nokeys -clcerts), and import the PFX into the vault" : "is not a PEM certificate (-----BEGIN CERTIFICATE-----)"] };
  }
  if (blocks.length > 1) return { ok: false, errors: [`holds ${blocks.length} certificates; give the intermediate CA's certificate alone (Azure Firewall refuses a chain)`] };
  let x509: X509Certificate;
  let cert: Certificate;
  try {
    x509 = new X509Certificate(blocks[0]);
    cert = AsnConvert.parse(x509.raw, Certificate);
  } catch {
    return { ok: false, errors: ["is not a complete certificate: it is truncated or damaged"] };
  }
  const errors: string[] = [];
  const ca = TLS_INSPECTION.ca;
  const key = x509.publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== "rsa") errors.push(`has a key of type ${(key.asymmetricKeyType ?? "unknown").toUpperCase()}; Azure Firewall needs an RSA key of ${ca.minRsaBits} bits or more`);
  else if (bits === undefined || bits < ca.minRsaBits) errors.push(`has a ${bits ?? "?"}-bit RSA key; Azure Firewall needs ${ca.minRsaBits} bits or more`);
  const extensions = cert.tbsCertificate.extensions ?? [];
  const basic = extensions.find((e) => e.extnID === id_ce_basicConstraints);
  const constraints = basic ? AsnConvert.parse(basic.extnValue, BasicConstraints) : undefined;
  if (!constraints?.cA) errors.push("is not a CA certificate (basic constraints CA:TRUE); the firewall signs the certificates it presents with it");
  else {
    if (!basic?.critical) errors.push("has basic constraints that are not marked critical; Azure Firewall needs them critical");
    if (constraints.pathLenConstraint !== undefined && constraints.pathLenConstraint < ca.minPathLength) errors.push(`has path length ${constraints.pathLenConstraint}; Azure Firewall needs ${ca.minPathLength} or more`);
  }
  const usage = extensions.find((e) => e.extnID === id_ce_keyUsage);
  const flags = usage ? AsnConvert.parse(usage.extnValue, KeyUsage).toNumber() : 0;
  if ((flags & KeyUsageFlags.keyCertSign) === 0) errors.push("has no keyCertSign key usage; Azure Firewall needs it (marked critical)");
  else if (usage?.critical !== true) errors.push("has a key usage extension that is not marked critical; Azure Firewall needs it critical");
  const from = new Date(x509.validFrom);
  const to = new Date(x509.validTo);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  if (now < from) errors.push(`is not valid before ${day(from)}`);
  else if (now > to) errors.push(`expired on ${day(to)}`);
  else if (to.getTime() - now.getTime() < ca.minRemainingDays * DAY) errors.push(`expires on ${day(to)}, within a year; Microsoft requires the firewall's CA to be valid for a year ahead: renew it`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, pem: blocks[0].trim() + "\n" };
}

/**
 * The SHA-256 fingerprint of the sample CA the project ships
 * (environments/certs/firewall-intermediate-ca.crt): a certificate for trying the product,
 * whose private key was destroyed when it was made, so no firewall can use it.
 */
export const SAMPLE_CA_FINGERPRINT = "AE:EC:19:DA:B4:0C:10:AE:FA:0B:DB:38:14:BC:FC:37:7D:32:63:AC:B6:B1:2A:58:0E:9F:66:67:C1:9C:96:4F";

/** Whether a (checked) PEM certificate is the shipped sample. */
export function isSampleCa(pem: string): boolean {
  try {
    return new X509Certificate(pem).fingerprint256 === SAMPLE_CA_FINGERPRINT;
  } catch {
    return false;
  }
}
