using System.Text;
using Pacer.Http;

namespace Pacer.Gateway.Proxy;

/// <summary>
/// Cuts an SSE byte stream into whole events, so that the gateway forwards (and flushes) event by event and never
/// a half event. It remembers the last event's name, which tells a finished Anthropic stream (<c>message_stop</c> or
/// <c>error</c>) from a truncated one, and gathers the usage that <c>message_start</c> and <c>message_delta</c> report.
/// </summary>
internal sealed class SseEventFramer
{
    /// <summary>A single event larger than this is forwarded as it comes rather than held whole.</summary>
    public const int MaxHeldBytes = 1024 * 1024;

    private byte[] _buffer = new byte[16 * 1024];
    private int _count;
    private int _scanned;
    private int _lineStart;

    /// <summary>Gets the name of the last whole event, or null before the first.</summary>
    public string? LastEvent { get; private set; }

    /// <summary>Gets a value indicating whether the stream ended as a finished Anthropic stream ends.</summary>
    public bool Finished => LastEvent is "message_stop" or "error";

    private UsageAccumulator _usage;

    /// <summary>Gets the usage reported so far.</summary>
    public UsageAccumulator Usage => _usage;

    /// <summary>Gets the bytes held back: the start of an event not yet whole.</summary>
    public int Held => _count;

    /// <summary>Adds bytes read from upstream.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_count + data.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _count + data.Length));
        }

        data.CopyTo(_buffer.AsSpan(_count));
        _count += data.Length;
    }

    /// <summary>Returns the whole events at the front of the buffer (empty when none), removing them.</summary>
    public ReadOnlyMemory<byte> TakeWholeEvents()
    {
        var end = 0;
        var eventStart = 0;
        for (var i = _scanned; i < _count; i++)
        {
            if (_buffer[i] != (byte)'\n')
            {
                continue;
            }

            var line = _buffer.AsSpan(_lineStart, i - _lineStart).TrimEnd((byte)'\r');
            _lineStart = i + 1;
            if (line.IsEmpty)
            {
                Process(_buffer.AsSpan(eventStart, i + 1 - eventStart));
                eventStart = i + 1;
                end = i + 1;
            }
        }

        _scanned = _count;
        if (end == 0 && _count > MaxHeldBytes)
        {
            end = _count;
            _lineStart = _count;
        }

        if (end == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var whole = _buffer.AsSpan(0, end).ToArray();
        _buffer.AsSpan(end, _count - end).CopyTo(_buffer);
        _count -= end;
        _scanned -= end;
        _lineStart -= end;
        return whole;
    }

    private void Process(ReadOnlySpan<byte> block)
    {
        string? name = null;
        var data = new List<byte>();
        var sawData = false;
        foreach (var range in block.Split((byte)'\n'))
        {
            var line = block[range].TrimEnd((byte)'\r');
            if (line.StartsWith("event:"u8))
            {
                name = Encoding.UTF8.GetString(line[6..]).Trim();
            }
            else if (line.StartsWith("data:"u8))
            {
                var value = line[5..];
                if (sawData)
                {
                    data.Add((byte)'\n');
                }

                sawData = true;
                data.AddRange(value.StartsWith(" "u8) ? value[1..] : value);
            }
        }

        if (name is null && !sawData)
        {
            return; // A comment or keep-alive, not an event.
        }

        LastEvent = name ?? "message";
        if (name is "message_start" or "message_delta")
        {
            // A malformed event is the client's to judge; the tally just misses it.
            UsageReader.TryRead(data.ToArray(), ref _usage);
        }
    }
}
