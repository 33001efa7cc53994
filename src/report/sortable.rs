//! The report's one inline script: click (or Enter on) a column header of a `table.sortable` to
//! sort its rows, numbers as numbers, `NA` and blanks last. No network and no other script: the
//! page's Content-Security-Policy allows exactly this script by its SHA-256 hash.

use sha2::{Digest, Sha256};

/// The script, verbatim between `<script>` and `</script>` (the hash covers these bytes).
pub const SCRIPT: &str = r#"(function(){
function key(c){var t=c.textContent.trim();var n=parseFloat(t.replace(/,/g,''));return {t:t,n:isNaN(n)?null:n};}
function cmp(a,b){if(a.n!==null&&b.n!==null)return a.n-b.n;if(a.n!==null)return -1;if(b.n!==null)return 1;return a.t.localeCompare(b.t);}
function missing(k){return k.t===''||k.t==='NA';}
document.querySelectorAll('table.sortable').forEach(function(t){
var hs=t.tHead.rows[0].cells;
Array.prototype.forEach.call(hs,function(h,i){
h.tabIndex=0;h.title='Sort by '+h.textContent;
function go(){
var d=h.getAttribute('aria-sort')==='ascending'?-1:1;
Array.prototype.forEach.call(hs,function(o){o.removeAttribute('aria-sort');});
h.setAttribute('aria-sort',d>0?'ascending':'descending');
var b=t.tBodies[0];
var rows=Array.prototype.map.call(b.rows,function(r,j){return {r:r,k:key(r.cells[i]),j:j};});
rows.sort(function(x,y){var mx=missing(x.k),my=missing(y.k);if(mx!==my)return mx?1:-1;return cmp(x.k,y.k)*d||x.j-y.j;});
rows.forEach(function(x){b.appendChild(x.r);});
}
h.addEventListener('click',go);
h.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});
});
});
})();"#;

/// The CSP source expression allowing [`SCRIPT`]: `'sha256-BASE64'`.
pub fn csp_source() -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(SCRIPT.as_bytes())))
}

/// Standard base64 with padding (RFC 4648 §4), as CSP hashes are written.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10's test vectors.
    #[test]
    fn base64_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    /// The SHA-256 of "abc" (FIPS 180-2 example) in CSP form, as `openssl dgst -sha256
    /// -binary | base64` writes it.
    #[test]
    fn csp_hash_form() {
        assert_eq!(
            base64(&Sha256::digest(b"abc")),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        assert!(csp_source().starts_with("'sha256-") && csp_source().ends_with("='"));
    }
}
