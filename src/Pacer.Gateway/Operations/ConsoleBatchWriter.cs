using System.Text;

namespace Pacer.Gateway.Operations;

/// <summary>
/// Writes formatted console lines from one thread of its own, a batch at a time. The first line after a quiet moment
/// wakes the thread, which then waits <see cref="GatherTime"/> for the rest of the request's lines and writes them all
/// in one call: one wake-up and one write per request where the stock console logger pays one of each per line (and
/// the console's own writer one system call per 256 characters). The bytes are the console's: its encoding, no preamble.
/// Lines keep their order; when the queue is full (the output is blocked), callers wait, as with
/// the stock logger's default.
/// </summary>
internal sealed class ConsoleBatchWriter : IDisposable
{
    /// <summary>How long the thread gathers lines after the first one wakes it.</summary>
    public static readonly TimeSpan GatherTime = TimeSpan.FromMilliseconds(5);

    private static readonly TimeSpan StopTime = TimeSpan.FromMilliseconds(1500);

    // An object, not a Lock: the writer thread waits on it (Monitor.Wait) and callers wake it.
    private readonly object _gate = new();
    private readonly Lock _writeGate = new();
    private readonly Stream _output;
    private readonly Stream _errors;
    private readonly Encoding _encoding;
    private readonly int _maxQueuedLines;
    private readonly Thread _thread;
    private readonly StringBuilder _text = new();
    private List<(string Line, bool ToErrors)> _pending = [];
    private List<(string Line, bool ToErrors)> _writing = [];
    private bool _stopping;
    private bool _finished;

    public ConsoleBatchWriter(Stream output, Stream errors, Encoding encoding, int maxQueuedLines)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(encoding);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueuedLines, 1);
        _output = output;
        _errors = errors;
        _encoding = encoding;
        _maxQueuedLines = maxQueuedLines;
        _thread = new Thread(Run) { IsBackground = true, Name = "Console logger batch writer" };
        _thread.Start();
    }

    /// <summary>Queues one formatted line (for standard error when <paramref name="toErrors"/>); after disposal, writes it at once.</summary>
    public void Enqueue(string line, bool toErrors)
    {
        lock (_gate)
        {
            while (_pending.Count >= _maxQueuedLines && !_stopping)
            {
                Monitor.Wait(_gate);
            }

            if (!_finished)
            {
                _pending.Add((line, toErrors));
                if (_pending.Count == 1)
                {
                    Monitor.PulseAll(_gate);
                }

                return;
            }
        }

        // The writer has stopped: a late line goes straight out rather than being lost.
        lock (_writeGate)
        {
            _text.Append(line);
            Flush(toErrors ? _errors : _output);
        }
    }

    /// <summary>Writes every line still queued and stops the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }

        _thread.Join(StopTime);
    }

    private void Run()
    {
        while (true)
        {
            bool last;
            lock (_gate)
            {
                while (_pending.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }

                if (!_stopping)
                {
                    // A kernel-timed wait on this thread, not a timer: a timer would wake two more threads per batch.
                    Monitor.Wait(_gate, GatherTime);
                }

                (_pending, _writing) = (_writing, _pending);
                last = _finished = _stopping;
                Monitor.PulseAll(_gate);
            }

            Write(_writing);
            _writing.Clear();
            if (last)
            {
                return;
            }
        }
    }

    // Consecutive lines for the same stream go out in one call.
    private void Write(List<(string Line, bool ToErrors)> lines)
    {
        lock (_writeGate)
        {
            for (var i = 0; i < lines.Count;)
            {
                var toErrors = lines[i].ToErrors;
                for (; i < lines.Count && lines[i].ToErrors == toErrors; i++)
                {
                    _text.Append(lines[i].Line);
                }

                Flush(toErrors ? _errors : _output);
            }
        }
    }

    private void Flush(Stream target)
    {
        try
        {
            target.Write(_encoding.GetBytes(_text.ToString()));
            target.Flush();
        }
        catch (IOException)
        {
            // The console is gone (a closed pipe); the stock console logger loses its lines the same way.
        }
        finally
        {
            _text.Clear();
        }
    }
}
