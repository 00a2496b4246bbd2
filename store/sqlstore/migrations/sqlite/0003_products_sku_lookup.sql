-- import-catalog finds a product by its SKU's string id or its GUID, in any
-- case: upper(sku_part_number) = ? OR lower(sku_id) = ?. An index on the
-- bare column cannot serve either, so every SKU of the file scanned the
-- whole products table, and a catalog of thousands of SKUs took seconds.
DROP INDEX IF EXISTS products_sku;
CREATE INDEX products_sku_part_number_upper ON products (upper(sku_part_number));
CREATE INDEX products_sku_id_lower ON products (lower(sku_id));
