using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Pacer.Simulator.Api;

/// <summary>Writes server-sent events as the real API frames them: <c>event: NAME\ndata: JSON\n\n</c>.</summary>
internal sealed class SseWriter(HttpResponse response)
{
    private static readonly byte[] EventPrefix = "event: "u8.ToArray();
    private static readonly byte[] DataPrefix = "\ndata: "u8.ToArray();
    private static readonly byte[] End = "\n\n"u8.ToArray();

    /// <summary>Events written so far.</summary>
    public int Sent { get; private set; }

    public void Event(string name, Action<Utf8JsonWriter> data)
    {
        var body = response.BodyWriter;
        body.Write(EventPrefix);
        body.Write(Encoding.UTF8.GetBytes(name));
        body.Write(DataPrefix);
        using (var json = new Utf8JsonWriter(body, JsonOutput.Options))
        {
            data(json);
        }

        body.Write(End);
        Sent++;
    }

    /// <summary>Writes text as is (for a deliberately malformed event).</summary>
    public void Raw(string text)
    {
        response.BodyWriter.Write(Encoding.UTF8.GetBytes(text));
        Sent++;
    }

    public async Task FlushAsync(CancellationToken cancellationToken) =>
        await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
}
