-- Currencies as an operator feature: Chinese names, the points currency,
-- aliases, and a scale fixed once money has moved (PostgreSQL translation of
-- the SQLite 0019).
-- Differs: INSERT OR IGNORE is ON CONFLICT DO NOTHING, POINTS' enabled is TRUE,
-- and currencies_scale_fixed is a plpgsql function (the EXISTS moves into it).

-- The Chinese name, shown when the page is in Chinese; NULL: `name` is shown.
ALTER TABLE currencies ADD COLUMN name_zh TEXT;

UPDATE currencies SET name_zh = '人民币' WHERE code = 'CNY';
UPDATE currencies SET name_zh = '美元' WHERE code = 'USD';
UPDATE currencies SET name_zh = '泰达币' WHERE code = 'USDT';
UPDATE currencies SET name_zh = '比特币' WHERE code = 'BTC';

-- Points (the seeds' `integral`, 积分): whole numbers, a currency like any other.
INSERT INTO currencies (code, name, name_zh, scale, enabled, created_at)
VALUES ('POINTS', 'Points', '积分', 0, TRUE, 0)
ON CONFLICT (code) DO NOTHING;

INSERT INTO wallet_accounts (currency, system, created_at, updated_at)
VALUES ('POINTS', 'external', 0, 0), ('POINTS', 'fees', 0, 0)
ON CONFLICT DO NOTHING;

-- Other names of a currency: a seed system's coin id (`1`), a field name
-- (`integral`). The code itself always wins over an alias.
CREATE TABLE currency_aliases (
    alias       TEXT PRIMARY KEY,
    currency    TEXT NOT NULL REFERENCES currencies(code),
    created_at  BIGINT NOT NULL
);

CREATE INDEX currency_aliases_by_currency ON currency_aliases (currency, alias);

-- The ukex facade's former built-in coin table, and the app API's points.
INSERT INTO currency_aliases (alias, currency, created_at)
SELECT alias, code, 0 FROM (
    SELECT '1' AS alias, 'CNY' AS code
    UNION ALL SELECT '2', 'USDT'
    UNION ALL SELECT '3', 'BTC'
    UNION ALL SELECT '4', 'USD'
    UNION ALL SELECT 'integral', 'POINTS'
) AS seeded
WHERE code IN (SELECT code FROM currencies)
ON CONFLICT DO NOTHING;

-- Once a journal row exists, another scale would silently rescale every
-- balance. The index answers "has this currency a journal row?" without a scan.
CREATE INDEX wallet_transfers_by_currency ON wallet_transfers (currency);

CREATE FUNCTION currencies_scale_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM wallet_transfers WHERE currency = OLD.code) THEN
        RAISE EXCEPTION 'the scale of a currency with journal rows is fixed';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER currencies_scale_fixed BEFORE UPDATE OF scale ON currencies
    FOR EACH ROW WHEN (NEW.scale <> OLD.scale)
    EXECUTE FUNCTION currencies_scale_fixed();
