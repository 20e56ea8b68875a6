using System.Text;

namespace Pacer.Cli.Run;

/// <summary>Reads a request file line by line, never whole: a 1 GB file costs one line at a time.</summary>
internal static class InputFile
{
    /// <summary>Enumerates the non-blank lines with their 1-based numbers.</summary>
    public static async IAsyncEnumerable<(long Number, string Text)> ReadLinesAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        long number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return (number, line);
            }
        }
    }
}
