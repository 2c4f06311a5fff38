using System.Globalization;
using System.Net;

namespace TicketToken.Data.Seeding;

/// <summary>Plausible values for a column from its name, type and CHECK rules.</summary>
internal static class ValueGenerator
{
    private static readonly string[] Words =
    [
        "aurora", "summit", "harbor", "lumen", "cedar", "vertex", "echo", "nova", "prairie", "delta", "crimson", "atlas",
        "willow", "orbit", "sable", "meridian", "tundra", "ember", "coral", "zenith",
    ];

    private static readonly string[] FirstNames = ["Avery", "Jordan", "Maya", "Liam", "Noah", "Sofia", "Ethan", "Olivia", "Lucas", "Chloe", "Mateo", "Zoe", "Elijah", "Priya", "Kenji", "Amara"];

    private static readonly string[] LastNames = ["Carter", "Nguyen", "Patel", "Garcia", "Okafor", "Johnson", "Kim", "Rossi", "Schmidt", "Lopez", "Brown", "Silva", "Haddad", "Walker", "Ito", "Moreau"];

    public static object? Value(TableInfo table, ColumnInfo c, ColumnRule? rule, ref Rng rng, int row, DateTime rowTime, SeedContext ctx, bool unique)
    {
        if (rule?.AllowedValues is { Count: > 0 } allowed)
        {
            var v = allowed[rng.Next(allowed.Count)];
            return c.TypeName switch
            {
                "int4" or "int2" => int.Parse(v, CultureInfo.InvariantCulture),
                "int8" => long.Parse(v, CultureInfo.InvariantCulture),
                _ => v,
            };
        }

        if (c.EnumLabels.Count > 0)
        {
            return c.IsArray ? new[] { c.EnumLabels[rng.Next(c.EnumLabels.Count)] } : c.EnumLabels[rng.Next(c.EnumLabels.Count)];
        }

        // A text column's literal default ('medium', 'pending', 'USD', …) is the most plausible value the catalog offers.
        if (!unique && c.ElementTypeName is null && c.TypeName is "text" or "varchar" && c.Default is { } d && d.StartsWith('\'')
            && d.IndexOf("'::", StringComparison.Ordinal) is > 0 and var end && rng.Chance(0.75))
        {
            return d[1..end].Replace("''", "'", StringComparison.Ordinal);
        }

        var n = c.Name;
        switch (c.ElementTypeName)
        {
            case "uuid":
                return new[] { ctx.Ids.Id("generic-array:" + table.Name + "." + n, row) };
            case not null:
                return new[] { Word(ref rng), Word(ref rng) };
        }

        switch (c.TypeName)
        {
            case "uuid":
                return ctx.Ids.Id("generic:" + table.Name + "." + n, (row * 131L) + rng.Next(131));
            case "bool":
                return n.StartsWith("is_active", StringComparison.Ordinal) || n == "enabled" || n == "active" ? rng.Chance(0.9) : rng.Chance(0.5);
            case "timestamptz" or "timestamp":
                return Timestamp(n, rowTime, ref rng);
            case "date":
                return n.Contains("birth", StringComparison.Ordinal)
                    ? new DateOnly(1965 + rng.Next(35), 1 + rng.Next(12), 1 + rng.Next(28))
                    : DateOnly.FromDateTime(Timestamp(n, rowTime, ref rng));
            case "time":
                return new TimeOnly(8 + rng.Next(14), rng.Next(4) * 15, 0);
            case "int2" or "int4" or "int8":
                {
                    var v = unique ? row + 1L : Integer(n, ref rng);
                    v = (long)Clamp(v, rule, c);
                    return c.TypeName switch { "int8" => v, "int2" => (short)v, _ => (int)v };
                }
            case "numeric" or "float8" or "float4":
                {
                    var v = Clamp(Decimal(n, c, ref rng), rule, c);
                    if (c.NumericScale > 0 || c.NumericPrecision > 0)
                    {
                        v = Math.Round(v, c.NumericScale, MidpointRounding.AwayFromZero);
                    }

                    return c.TypeName == "numeric" ? v : (object)(double)v;
                }
            case "jsonb" or "json":
                return Json(n, c, ref rng, row);
            case "inet":
                return new IPAddress([10, (byte)rng.Next(256), (byte)rng.Next(256), (byte)(1 + rng.Next(254))]);
            case "tsvector":
                return "'demo' 'seed'";
            case "text" or "varchar" or "bpchar":
                return Text(table, c, rule, ref rng, row, unique);
            default:
                return null;
        }
    }

    private static string Word(ref Rng rng) => Words[rng.Next(Words.Length)];

    private static DateTime Timestamp(string n, DateTime rowTime, ref Rng rng)
    {
        if (n.Contains("expire", StringComparison.Ordinal) || n.Contains("until", StringComparison.Ordinal) || n.Contains("end", StringComparison.Ordinal)
            || n.Contains("due", StringComparison.Ordinal) || n.StartsWith("next_", StringComparison.Ordinal) || n.Contains("scheduled", StringComparison.Ordinal)
            || n.Contains("deadline", StringComparison.Ordinal) || n.Contains("retention", StringComparison.Ordinal))
        {
            return rowTime.AddDays(1 + rng.Next(90));
        }

        if (n is "created_at" or "started_at" or "start_date" or "starts_at" or "requested_at" or "issued_at" or "recorded_at" or "occurred_at" or "timestamp")
        {
            return rowTime;
        }

        return rowTime.AddMinutes(1 + rng.Next(600));
    }

    private static long Integer(string n, ref Rng rng)
    {
        if (n.Contains("port", StringComparison.Ordinal))
        {
            return 443;
        }

        if (n.Contains("year", StringComparison.Ordinal))
        {
            return 2025 + rng.Next(2);
        }

        if (n.Contains("month", StringComparison.Ordinal))
        {
            return 1 + rng.Next(12);
        }

        if (n.Contains("hour", StringComparison.Ordinal))
        {
            return rng.Next(24);
        }

        if (n.Contains("day", StringComparison.Ordinal))
        {
            return 1 + rng.Next(28);
        }

        if (n.Contains("score", StringComparison.Ordinal) || n.Contains("percent", StringComparison.Ordinal))
        {
            return rng.Next(101);
        }

        if (n.Contains("cents", StringComparison.Ordinal) || n.Contains("amount", StringComparison.Ordinal) || n.Contains("price", StringComparison.Ordinal)
            || n.Contains("balance", StringComparison.Ordinal) || n.Contains("fee", StringComparison.Ordinal) || n.Contains("total", StringComparison.Ordinal)
            || n.Contains("cost", StringComparison.Ordinal) || n.Contains("revenue", StringComparison.Ordinal) || n.Contains("value", StringComparison.Ordinal))
        {
            return 100 * (5 + rng.Next(300));
        }

        if (n.Contains("bytes", StringComparison.Ordinal) || n.Contains("size", StringComparison.Ordinal))
        {
            return 1024L * (1 + rng.Next(20000));
        }

        if (n.Contains("version", StringComparison.Ordinal))
        {
            return 1 + rng.Next(3);
        }

        if (n.Contains("priority", StringComparison.Ordinal) || n.Contains("level", StringComparison.Ordinal))
        {
            return 1 + rng.Next(5);
        }

        if (n.Contains("limit", StringComparison.Ordinal) || n.StartsWith("max", StringComparison.Ordinal) || n.Contains("capacity", StringComparison.Ordinal))
        {
            return 10 * (1 + rng.Next(100));
        }

        if (n.Contains("ms", StringComparison.Ordinal) || n.Contains("seconds", StringComparison.Ordinal) || n.Contains("duration", StringComparison.Ordinal)
            || n.Contains("ttl", StringComparison.Ordinal) || n.Contains("timeout", StringComparison.Ordinal) || n.Contains("latency", StringComparison.Ordinal))
        {
            return 10 + rng.Next(5000);
        }

        if (n.Contains("retry", StringComparison.Ordinal) || n.Contains("attempt", StringComparison.Ordinal) || n.Contains("retries", StringComparison.Ordinal))
        {
            return rng.Next(4);
        }

        if (n.Contains("quantity", StringComparison.Ordinal) || n.Contains("qty", StringComparison.Ordinal))
        {
            return 1 + rng.Next(6);
        }

        return rng.Next(200);
    }

    private static decimal Decimal(string n, ColumnInfo c, ref Rng rng)
    {
        var intDigits = c.NumericPrecision > 0 ? c.NumericPrecision - c.NumericScale : 8;
        if (n.Contains("lat", StringComparison.Ordinal) && intDigits >= 2)
        {
            return 30m + (rng.Next(1500) / 100m);
        }

        if ((n.Contains("lng", StringComparison.Ordinal) || n.Contains("lon", StringComparison.Ordinal)) && intDigits >= 3)
        {
            return -75m - (rng.Next(4500) / 100m);
        }

        if (intDigits <= 1 || n.Contains("ratio", StringComparison.Ordinal) || n.EndsWith("rate", StringComparison.Ordinal) || n.Contains("probability", StringComparison.Ordinal)
            || n.Contains("confidence", StringComparison.Ordinal))
        {
            return rng.Next(1000) / 1000m;
        }

        if (n.Contains("percent", StringComparison.Ordinal) || n.Contains("score", StringComparison.Ordinal))
        {
            return rng.Next(10000) / 100m;
        }

        if (n.Contains("cents", StringComparison.Ordinal))
        {
            return 100 * (5 + rng.Next(300));
        }

        return (5 + rng.Next(50000)) / 100m;
    }

    private static decimal Clamp(decimal v, ColumnRule? rule, ColumnInfo c)
    {
        if (c.NumericPrecision > 0)
        {
            var max = (decimal)Math.Pow(10, c.NumericPrecision - c.NumericScale) - 1;
            v = Math.Min(v, max);
        }

        if (rule?.Min is { } min && v < min)
        {
            v = min;
        }

        if (rule?.Max is { } mx && v > mx)
        {
            v = mx;
        }

        if (c.TypeName == "int2")
        {
            v = Math.Min(v, short.MaxValue);
        }

        return v;
    }

    private static string Json(string n, ColumnInfo c, ref Rng rng, int row)
    {
        if (c.Default is { } d && d.StartsWith("'[]'", StringComparison.Ordinal))
        {
            return "[\"" + Words[rng.Next(Words.Length)] + "\"]";
        }

        return string.Create(CultureInfo.InvariantCulture, $"{{\"source\": \"demo-seed\", \"row\": {row}, \"tag\": \"{Words[rng.Next(Words.Length)]}\", \"field\": \"{n}\"}}");
    }

    private static string Text(TableInfo table, ColumnInfo c, ColumnRule? rule, ref Rng rng, int row, bool unique)
    {
        var n = c.Name;
        string s;
        if (rule?.Pattern is { } pattern)
        {
            s = pattern.Contains("ipfs", StringComparison.Ordinal) ? "ipfs://bafy" + rng.Hex(40)
                : pattern.Contains("{2}-[0-9]{7}", StringComparison.Ordinal) ? $"{10 + rng.Next(89)}-{1000000 + rng.Next(8999999)}"
                : "demo_" + row.ToString(CultureInfo.InvariantCulture);
        }
        else if (n.Contains("email", StringComparison.Ordinal))
        {
            s = $"{FirstNames[rng.Next(FirstNames.Length)].ToLowerInvariant()}.{LastNames[rng.Next(LastNames.Length)].ToLowerInvariant()}{row}@demo.tickettoken.test";
            return Fit(s, c, rule, ref rng);
        }
        else if (n.Contains("phone", StringComparison.Ordinal))
        {
            s = "+1615555" + rng.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);
        }
        else if (n.Contains("url", StringComparison.Ordinal) || n.Contains("uri", StringComparison.Ordinal) || n.Contains("website", StringComparison.Ordinal)
                 || n.Contains("endpoint", StringComparison.Ordinal) || n.Contains("link", StringComparison.Ordinal))
        {
            s = $"https://demo.tickettoken.test/{table.Name}/{row}";
        }
        else if (n.Contains("currency", StringComparison.Ordinal))
        {
            s = "USD";
        }
        else if (n.Contains("country", StringComparison.Ordinal))
        {
            s = "US";
        }
        else if (n is "state" or "state_province" or "region" or "jurisdiction" || n.EndsWith("_state", StringComparison.Ordinal) && c.MaxLength is > 0 and <= 10)
        {
            s = new[] { "TN", "CA", "NY", "TX", "IL" }[rng.Next(5)];
        }
        else if (n.Contains("city", StringComparison.Ordinal))
        {
            s = new[] { "Nashville", "Austin", "Chicago", "Denver", "Portland" }[rng.Next(5)];
        }
        else if (n.Contains("postal", StringComparison.Ordinal) || n.Contains("zip", StringComparison.Ordinal))
        {
            s = "37" + rng.Next(100, 999).ToString(CultureInfo.InvariantCulture);
        }
        else if (n.Contains("timezone", StringComparison.Ordinal) || n == "tz")
        {
            s = "America/Chicago";
        }
        else if (n.Contains("language", StringComparison.Ordinal) || n.Contains("locale", StringComparison.Ordinal) || n == "lang")
        {
            s = "en";
        }
        else if (n.Contains("ip", StringComparison.Ordinal) && (n.StartsWith("ip", StringComparison.Ordinal) || n.EndsWith("_ip", StringComparison.Ordinal)))
        {
            s = $"10.{rng.Next(256)}.{rng.Next(256)}.{1 + rng.Next(254)}";
        }
        else if (n.Contains("wallet", StringComparison.Ordinal) || n.Contains("address", StringComparison.Ordinal) && !n.Contains("line", StringComparison.Ordinal)
                 && !n.Contains("email", StringComparison.Ordinal) || n.Contains("mint", StringComparison.Ordinal) || n.Contains("pubkey", StringComparison.Ordinal))
        {
            s = rng.Base58(44);
        }
        else if (n.Contains("signature", StringComparison.Ordinal) || n.Contains("tx_hash", StringComparison.Ordinal) || n.Contains("_hash", StringComparison.Ordinal)
                 || n.Contains("signature", StringComparison.Ordinal))
        {
            s = n.Contains("hash", StringComparison.Ordinal) ? rng.Hex(64) : rng.Base58(88);
        }
        else if (n.Contains("token", StringComparison.Ordinal) || n.Contains("secret", StringComparison.Ordinal) || n.Contains("key", StringComparison.Ordinal)
                 || n.Contains("fingerprint", StringComparison.Ordinal) || n.Contains("nonce", StringComparison.Ordinal))
        {
            s = "demo_" + rng.Hex(32);
        }
        else if (n == "status" || n.EndsWith("_status", StringComparison.Ordinal))
        {
            s = new[] { "active", "pending", "completed" }[rng.Next(3)];
        }
        else if (n.Contains("first_name", StringComparison.Ordinal))
        {
            s = FirstNames[rng.Next(FirstNames.Length)];
        }
        else if (n.Contains("last_name", StringComparison.Ordinal))
        {
            s = LastNames[rng.Next(LastNames.Length)];
        }
        else if (n.Contains("name", StringComparison.Ordinal) || n.Contains("title", StringComparison.Ordinal) || n.Contains("label", StringComparison.Ordinal))
        {
            s = CultureInfo.InvariantCulture.TextInfo.ToTitleCase($"{Word(ref rng)} {Word(ref rng)}");
        }
        else if (n.Contains("description", StringComparison.Ordinal) || n.Contains("note", StringComparison.Ordinal) || n.Contains("reason", StringComparison.Ordinal)
                 || n.Contains("message", StringComparison.Ordinal) || n.Contains("comment", StringComparison.Ordinal) || n.Contains("body", StringComparison.Ordinal)
                 || n.Contains("content", StringComparison.Ordinal) || n.Contains("details", StringComparison.Ordinal) || n.Contains("summary", StringComparison.Ordinal))
        {
            s = $"Demo {n.Replace('_', ' ')} for {table.Name.Replace('_', ' ')} #{row + 1}: {Word(ref rng)} {Word(ref rng)}.";
        }
        else if (n.Contains("code", StringComparison.Ordinal) || n.Contains("number", StringComparison.Ordinal) || n.Contains("reference", StringComparison.Ordinal)
                 || n.EndsWith("_ref", StringComparison.Ordinal))
        {
            s = rng.Hex(8).ToUpperInvariant();
        }
        else if (n.Contains("version", StringComparison.Ordinal))
        {
            s = "1." + rng.Next(10).ToString(CultureInfo.InvariantCulture);
        }
        else if (n.Contains("type", StringComparison.Ordinal) || n.Contains("kind", StringComparison.Ordinal) || n.Contains("category", StringComparison.Ordinal)
                 || n.Contains("method", StringComparison.Ordinal) || n.Contains("channel", StringComparison.Ordinal) || n.Contains("provider", StringComparison.Ordinal)
                 || n.Contains("source", StringComparison.Ordinal) || n.Contains("action", StringComparison.Ordinal) || n.Contains("event", StringComparison.Ordinal))
        {
            s = new[] { "standard", "primary", "default", "web", "email" }[rng.Next(5)];
        }
        else if (n.EndsWith("_id", StringComparison.Ordinal))
        {
            s = n[..^3] + "_" + rng.Hex(12);
        }
        else
        {
            s = Word(ref rng) + "-" + Word(ref rng);
        }

        if (unique)
        {
            s = s + "-" + row.ToString(CultureInfo.InvariantCulture);
        }

        return Fit(s, c, rule, ref rng);
    }

    private static string Fit(string s, ColumnInfo c, ColumnRule? rule, ref Rng rng)
    {
        var max = c.MaxLength > 0 ? c.MaxLength : int.MaxValue;
        if (rule?.MaxLength is { } rm)
        {
            max = Math.Min(max, rm);
        }

        if (s.Length > max)
        {
            // Keep the tail: it holds the uniqueness suffix.
            s = s[^max..];
        }

        if (rule?.MinLength is { } min && s.Length < min)
        {
            s += rng.Base58(min - s.Length);
        }

        return s;
    }
}
