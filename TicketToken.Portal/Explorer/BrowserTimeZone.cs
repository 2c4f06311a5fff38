using Microsoft.JSInterop;

namespace TicketToken.Portal.Explorer;

/// <summary>The browser's time zone, asked once per circuit; UTC until then (and during prerendering).</summary>
public sealed class BrowserTimeZone
{
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public bool Known { get; private set; }

    /// <summary>Returns true when the zone was learned now (the caller re-renders).</summary>
    public async Task<bool> EnsureAsync(IJSRuntime js)
    {
        ArgumentNullException.ThrowIfNull(js);
        if (Known)
        {
            return false;
        }

        try
        {
            var id = await js.InvokeAsync<string>("tt.timeZone");
            Zone = id is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
        }
        catch (JSException)
        {
            Zone = TimeZoneInfo.Utc;
        }
        catch (JSDisconnectedException)
        {
            return false;
        }

        Known = true;
        return Zone != TimeZoneInfo.Utc;
    }
}
