//! Signatures of the card provider's webhooks.
//!
//! The provider sends the header `Chuhai-Signature: t=<unix seconds>,v1=<hex>`
//! where `<hex>` is HMAC-SHA256 (RFC 2104, FIPS 180-4), keyed with the
//! endpoint's secret, over the bytes `<t>.` followed by the raw body. Several
//! `v1` entries may be given (while a secret is being rotated); one match
//! is enough. A signature older or newer than [`SIGNATURE_TOLERANCE_SECS`]
//! is refused, so a captured request cannot be replayed later; replays
//! within the tolerance are stopped by the event id, which the store
//! accepts once.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

type HmacSha256 = Hmac<Sha256>;

/// How far a signature's timestamp may be from the receiver's clock, in
/// seconds (either way).
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

/// A verified signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSignature {
    /// When the provider signed, in seconds since 1970-01-01 UTC.
    pub timestamp: i64,
}

/// Why a webhook signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    /// The header is missing a part or is not `t=…,v1=…`.
    #[error("the signature header is malformed: {0}")]
    Malformed(&'static str),
    /// The timestamp is too far from now.
    #[error("the signature is {age_secs} s from now, more than the {SIGNATURE_TOLERANCE_SECS} s tolerated")]
    OutsideTolerance { age_secs: i64 },
    /// No `v1` matches the body and the secret.
    #[error("the signature does not match the body")]
    Mismatch,
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length.
    let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// The header value signing `body` at `timestamp` with `secret`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex(&tag))
}

/// Checks `header` against `body` and `secret` at `now` (seconds since
/// 1970-01-01 UTC). The comparison of tags takes the same time whatever
/// the tags' contents.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: i64,
) -> Result<WebhookSignature, SignatureError> {
    let mut timestamp = None;
    let mut tags = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed("each part is key=value"))?;
        match key {
            "t" => {
                let t = value
                    .parse::<i64>()
                    .map_err(|_| SignatureError::Malformed("t is not a whole number of seconds"))?;
                timestamp = Some(t);
            }
            "v1" => tags.push(unhex(value).ok_or(SignatureError::Malformed("v1 is not hex"))?),
            // Other schemes are ignored, as a provider may add newer ones.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed("no t="))?;
    if tags.is_empty() {
        return Err(SignatureError::Malformed("no v1="));
    }
    let age_secs = now.saturating_sub(timestamp);
    if age_secs.abs() > SIGNATURE_TOLERANCE_SECS {
        return Err(SignatureError::OutsideTolerance { age_secs });
    }
    let expected = mac(secret, timestamp, body);
    if tags
        .iter()
        .any(|tag| expected.clone().verify_slice(tag).is_ok())
    {
        Ok(WebhookSignature { timestamp })
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
    const T: i64 = 1_795_000_000;

    #[test]
    fn hmac_sha256_matches_the_rfc_4231_test_vector() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut m = HmacSha256::new_from_slice(b"Jefe").unwrap();
        m.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&m.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_signature_verifies_within_the_tolerance_only() {
        let header = sign(SECRET, T, BODY);
        assert!(header.starts_with(&format!("t={T},v1=")));
        assert_eq!(
            verify(SECRET, &header, BODY, T),
            Ok(WebhookSignature { timestamp: T })
        );
        assert!(verify(SECRET, &header, BODY, T + SIGNATURE_TOLERANCE_SECS).is_ok());
        assert_eq!(
            verify(SECRET, &header, BODY, T + SIGNATURE_TOLERANCE_SECS + 1),
            Err(SignatureError::OutsideTolerance { age_secs: 301 })
        );
        // A timestamp from the future is as suspect as an old one.
        assert_eq!(
            verify(SECRET, &header, BODY, T - 301),
            Err(SignatureError::OutsideTolerance { age_secs: -301 })
        );
    }

    #[test]
    fn a_changed_body_timestamp_or_secret_does_not_verify() {
        let header = sign(SECRET, T, BODY);
        let mut other = BODY.to_vec();
        other[10] ^= 1;
        assert_eq!(
            verify(SECRET, &header, &other, T),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"another secret", &header, BODY, T),
            Err(SignatureError::Mismatch)
        );
        let moved = header.replace(&format!("t={T}"), &format!("t={}", T + 1));
        assert_eq!(
            verify(SECRET, &moved, BODY, T),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn one_matching_tag_among_several_is_enough_and_malformed_headers_are_named() {
        let good = sign(SECRET, T, BODY);
        let tag = good.split_once(",v1=").unwrap().1;
        let rotated = format!("t={T},v1={},v1={tag},v0=legacy", "00".repeat(32));
        assert!(verify(SECRET, &rotated, BODY, T).is_ok());
        for (header, why) in [
            ("", "each part is key=value"),
            ("v1=00", "no t="),
            (&format!("t={T}") as &str, "no v1="),
            ("t=soon,v1=00", "t is not a whole number of seconds"),
            (&format!("t={T},v1=zz"), "v1 is not hex"),
        ] {
            assert_eq!(
                verify(SECRET, header, BODY, T),
                Err(SignatureError::Malformed(why)),
                "{header}"
            );
        }
    }
}
