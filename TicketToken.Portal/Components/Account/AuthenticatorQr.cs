using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using QRCoder;

namespace TicketToken.Portal.Components.Account;

/// <summary>The otpauth URI and its QR code, drawn on the server as SVG (no script, no third-party request).</summary>
internal static class AuthenticatorQr
{
    public static string Uri(UrlEncoder encoder, string email, string key) => string.Format(
        CultureInfo.InvariantCulture,
        "otpauth://totp/{0}:{1}?secret={2}&issuer={0}&digits=6",
        encoder.Encode("TicketToken Portal"),
        encoder.Encode(email),
        key);

    public static string Svg(string uri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data);
        return svg.GetGraphic(4);
    }

    public static string FormatKey(string key)
    {
        var result = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            if (i > 0)
            {
                result.Append(' ');
            }

            result.Append(key.AsSpan(i, Math.Min(4, key.Length - i)));
        }

        return result.ToString().ToLowerInvariant();
    }
}
