using System.Net;

namespace Infomat.Privacy.Intake;

/// <summary>Which client a submission comes from, for the per-client limit: an IP address, never with a port.</summary>
public static class ClientKeys
{
    /// <summary>
    /// Behind the Azure front end the last <c>X-Forwarded-For</c> entry (the one the platform added; a client can only
    /// prepend), otherwise the connection's address. A port is dropped (<c>1.2.3.4:5678</c>, <c>[2001:db8::1]:5678</c>),
    /// so each new connection of one client is the same client; the address is written in its canonical form.
    /// </summary>
    public static string From(string? forwardedFor, IPAddress? connection)
    {
        if (!string.IsNullOrWhiteSpace(forwardedFor))
        {
            var last = forwardedFor.Split(',')[^1].Trim();
            return Address(last) ?? last;
        }

        return connection is null ? "unknown" : Canonical(connection);
    }

    private static string? Address(string entry)
    {
        if (entry.StartsWith('['))
        {
            // [IPv6]:port or [IPv6]
            var close = entry.IndexOf(']', StringComparison.Ordinal);
            return close > 0 && IPAddress.TryParse(entry[1..close], out var v6) ? Canonical(v6) : null;
        }

        if (IPAddress.TryParse(entry, out var bare) && (bare.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || !entry.Contains(':', StringComparison.Ordinal)))
        {
            // A bare IPv6 address (its colons are not a port) or an IPv4 address without a port.
            return Canonical(bare);
        }

        var colon = entry.LastIndexOf(':');
        return colon > 0 && entry.Count(c => c == ':') == 1 && IPAddress.TryParse(entry[..colon], out var v4) ? Canonical(v4) : null;
    }

    private static string Canonical(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
