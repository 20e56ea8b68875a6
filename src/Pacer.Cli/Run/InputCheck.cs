namespace Pacer.Cli.Run;

/// <summary>
/// The first pass over the request file, before anything is sent: every line checked, duplicates found, and the bad
/// lines remembered (the first <see cref="Listed"/> of them with their problems, all of them by number).
/// </summary>
internal sealed class InputCheck
{
    public const int Listed = 20;

    private readonly HashSet<long> _badLines = [];

    public long ValidLines { get; private set; }

    public long BadLines => _badLines.Count;

    /// <summary>Gets the <c>custom_id</c>s of the valid lines.</summary>
    public CustomIdSet ValidIds { get; } = new();

    /// <summary>Gets or sets the valid lines whose <c>custom_id</c> the results file already answers.</summary>
    public long AlreadyAnswered { get; set; }

    /// <summary>Gets the valid lines to send.</summary>
    public long ToSend => ValidLines - AlreadyAnswered;

    /// <summary>Gets the first bad lines, with their numbers and problems.</summary>
    public List<(long Line, string Problem)> FirstBad { get; } = [];

    public bool IsBad(long line) => _badLines.Contains(line);

    public static async Task<InputCheck> RunAsync(string path, CancellationToken cancellationToken)
    {
        var check = new InputCheck();
        var seen = new CustomIdSet();
        await foreach (var (number, text) in InputFile.ReadLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            var line = BatchRequestLine.Parse(text);
            if (line.CustomId is { } id && !seen.TryAdd(id, number, out var first))
            {
                line = line.AsDuplicate(first);
            }

            if (line.IsValid)
            {
                check.ValidLines++;
                check.ValidIds.TryAdd(line.CustomId!, number, out _);
            }
            else
            {
                check._badLines.Add(number);
                if (check.FirstBad.Count < Listed)
                {
                    check.FirstBad.Add((number, line.Problem!));
                }
            }
        }

        return check;
    }
}
