using System.Buffers;

namespace Pacer.Cli.Run;

/// <summary>
/// The results file (Message Batches results format, one line per <c>custom_id</c>): read at start to know what is
/// already answered, a torn last line left by a crash cut off, and then appended one whole line at a time, each written
/// with one system call and flushed as soon as its request ends, so that a killed process loses no written result.
/// A lock file next to it keeps two runs from writing the same file.
/// </summary>
internal sealed class ResultsFile : IAsyncDisposable
{
    private readonly FileStream _stream;
    private readonly FileStream _lock;
    private readonly string _lockPath;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private ResultsFile(FileStream stream, FileStream lockStream, string lockPath, ResultsScan scan)
    {
        _stream = stream;
        _lock = lockStream;
        _lockPath = lockPath;
        Scan = scan;
    }

    /// <summary>Gets what was found in the file at start.</summary>
    public ResultsScan Scan { get; }

    /// <summary>
    /// Opens (or creates) the file, repairs a torn last line and, with <paramref name="retryErrored"/>, drops the lines
    /// that are not successes of the requests that will be sent again (<paramref name="willSend"/>).
    /// </summary>
    /// <exception cref="ResultsFileException">Another run holds the file, or a line before the last is not a result.</exception>
    public static async Task<ResultsFile> OpenAsync(string path, bool retryErrored, Func<string, bool> willSend, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var lockPath = full + ".lock";
        FileStream lockStream;
        try
        {
            lockStream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new ResultsFileException($"{path} is being written by another pacer run ({lockPath} is held).");
        }

        try
        {
            var scan = await ResultsScan.ReadAsync(full, retryErrored ? willSend : null, cancellationToken).ConfigureAwait(false);
            if (scan.TornBytes > 0 || scan.Dropped.Count > 0 || scan.MissingNewline)
            {
                await RewriteAsync(full, scan, cancellationToken).ConfigureAwait(false);
            }

            // No buffer: each write is one system call, and reaches the operating system before AppendAsync returns.
            var stream = new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.None);
            return new ResultsFile(stream, lockStream, lockPath, scan);
        }
        catch
        {
            await lockStream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Appends one result line (the newline is added) and flushes it.</summary>
    public async Task AppendAsync(byte[] line, CancellationToken cancellationToken)
    {
        var bytes = new byte[line.Length + 1];
        line.CopyTo(bytes, 0);
        bytes[^1] = (byte)'\n';

        // Not cancelled by the caller's token: a line is written whole or not at all.
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            _ = cancellationToken;
            _stream.Write(bytes);
            _stream.Flush(flushToDisk: false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stream.Flush(flushToDisk: true);
        await _stream.DisposeAsync().ConfigureAwait(false);
        await _lock.DisposeAsync().ConfigureAwait(false);
        File.Delete(_lockPath);
        _gate.Dispose();
    }

    /// <summary>Writes the kept lines to a new file and moves it over the old one, so a crash here leaves one or the other whole.</summary>
    private static async Task RewriteAsync(string path, ResultsScan scan, CancellationToken cancellationToken)
    {
        var temporary = path + ".repair";
        var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        await using (source.ConfigureAwait(false))
        {
            var target = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (target.ConfigureAwait(false))
            {
                var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
                try
                {
                    long position = 0;
                    foreach (var (start, end) in scan.Dropped.Append((scan.KeptLength, long.MaxValue)))
                    {
                        await CopyAsync(source, target, position, start, buffer, cancellationToken).ConfigureAwait(false);
                        position = end;
                    }

                    if (scan.MissingNewline)
                    {
                        target.WriteByte((byte)'\n');
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                await target.FlushAsync(cancellationToken).ConfigureAwait(false);
                target.Flush(flushToDisk: true);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static async Task CopyAsync(FileStream source, FileStream target, long from, long to, byte[] buffer, CancellationToken cancellationToken)
    {
        source.Position = from;
        var left = to - from;
        while (left > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            left -= read;
        }
    }
}
