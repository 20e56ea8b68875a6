using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Pacer.Gateway.Dashboard;

/// <summary>
/// The dashboard's files, embedded in the gateway's assembly (<c>Dashboard/wwwroot</c>, resource names
/// <c>dashboard/&lt;file&gt;</c>): the page works with no network and no file beside the binary. Read once at start.
/// </summary>
internal sealed class DashboardAssets
{
    private const string Prefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".txt"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, Asset> _assets;

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
            assets[name[Prefix.Length..]] = new Asset(bytes, type, "\"" + Convert.ToHexString(SHA256.HashData(bytes))[..16] + "\"");
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Gets the names of the embedded files (for example <c>index.html</c>, <c>vendor/uPlot.iife.min.js</c>).</summary>
    public IEnumerable<string> Names => _assets.Keys;

    /// <summary>Answers with the named file, or 404.</summary>
    public IResult Serve(string name) =>
        _assets.TryGetValue(name, out var asset) ? Results.Bytes(asset.Bytes, asset.ContentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue(asset.ETag)) : Results.NotFound();

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
