//! `UC_COMPAT_UKEX_COINS`: overrides of what the seed's numeric `coinId`s
//! stand for. A `coinId` is first looked up here, then as a currency code
//! or alias of the wallet (aliases are kept per currency in the database,
//! set in the console or with `server admin currency aliases`; the seed's
//! former table `1=CNY,2=USDT,3=BTC,4=USD` is seeded as aliases). A coin id
//! that is neither is refused, never guessed.

use std::fmt;

/// `coinId` → currency code, in the order configured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoinTable(Vec<(String, String)>);

impl CoinTable {
    /// The currency a coin id stands for (the id trimmed, compared exactly).
    pub fn currency(&self, coin_id: &str) -> Option<&str> {
        let id = coin_id.trim();
        self.0
            .iter()
            .find(|(known, _)| known == id)
            .map(|(_, code)| code.as_str())
    }
}

impl fmt::Display for CoinTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs: Vec<String> = self.0.iter().map(|(id, c)| format!("{id}={c}")).collect();
        f.write_str(&pairs.join(","))
    }
}

/// Parses `1=CNY,2=USDT`: ids of 1–32 letters, digits, `_` or `-`, each
/// once; codes as the wallet spells them (2–10 capitals or digits; case is
/// folded). Empty: no coins at all.
pub fn parse(value: &str) -> Result<CoinTable, String> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (id, code) = item
            .split_once('=')
            .ok_or_else(|| format!("{item:?} is not id=CURRENCY, e.g. 1=CNY"))?;
        let id = id.trim();
        let id_ok = (1..=32).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
        if !id_ok {
            return Err(format!("coin id {id:?}: 1–32 letters, digits, _ or -"));
        }
        let code = shared::wallet::check_currency_code(&code.trim().to_ascii_uppercase())
            .map_err(|_| format!("{code:?} is not a currency code like CNY"))?;
        if pairs.iter().any(|(known, _)| known == id) {
            return Err(format!("coin id {id:?} is listed twice"));
        }
        pairs.push((id.to_string(), code));
    }
    Ok(CoinTable(pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_and_default_agree() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            ukex: super::super::Options,
        }
        let parsed = Cli::try_parse_from(["server"]).unwrap().ukex;
        if std::env::var_os("UC_COMPAT_UKEX_COINS").is_none() {
            assert_eq!(parsed.coins, super::super::Options::default().coins);
            assert_eq!(parsed.coins, CoinTable::default(), "no overrides");
        }
        let set = Cli::try_parse_from(["server", "--compat-ukex-coins", "9=BTC"]).unwrap();
        assert_eq!(set.ukex.coins.currency("9"), Some("BTC"));
        assert_eq!(set.ukex.coins.to_string(), "9=BTC");
        assert!(Cli::try_parse_from(["server", "--compat-ukex-coins", "9"]).is_err());
    }

    #[test]
    fn tables_parse_strictly() {
        let t = parse(" 1 = cny, 7=USDT ,").unwrap();
        assert_eq!(t.currency("1"), Some("CNY"));
        assert_eq!(t.currency(" 7 "), Some("USDT"));
        assert_eq!(t.currency("2"), None);
        assert_eq!(t.currency(""), None);
        assert!(parse("").unwrap().currency("1").is_none());
        for bad in ["1", "1=", "=CNY", "1=C", "1=CNY,1=USD", "a b=CNY", "1=CN$"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
