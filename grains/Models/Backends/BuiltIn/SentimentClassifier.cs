using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Text;

namespace Mcp.Cluster.Models.Backends.BuiltIn;

/// <summary>
/// A binary sentiment classifier trained with ML.NET, once per process, from the labelled sentences shipped in this
/// assembly (<c>sentiment-training.tsv</c>). Word uni/bigrams keep short negations ("not good") and character
/// trigrams carry it over to word forms it has not seen.
/// </summary>
public sealed class SentimentClassifier(ILogger<SentimentClassifier> logger)
{
    private const string TrainingResource = "Mcp.Cluster.Models.Backends.BuiltIn.sentiment-training.tsv";

    private readonly Lazy<Task<Trained>> _model = new(() => Task.Run(() => Train(logger)));

    public Task WarmUpAsync() => _model.Value;

    public bool IsReady => _model.IsValueCreated && _model.Value.IsCompletedSuccessfully;

    public async Task<IReadOnlyList<ClassificationResult>> ClassifyAsync(IReadOnlyList<string> texts)
    {
        var model = await _model.Value;
        var engine = model.Engines.Get();
        try
        {
            var results = new ClassificationResult[texts.Count];
            for (var i = 0; i < texts.Count; i++)
            {
                var prediction = engine.Predict(new SentimentRow { Text = texts[i] });
                double positive = Math.Clamp(prediction.Probability, 0f, 1f);
                var scores = new Dictionary<string, double> { ["positive"] = positive, ["negative"] = 1 - positive };
                results[i] = positive >= 0.5
                    ? new ClassificationResult("positive", positive, scores)
                    : new ClassificationResult("negative", 1 - positive, scores);
            }
            return results;
        }
        finally
        {
            model.Engines.Return(engine);
        }
    }

    private static Trained Train(ILogger logger)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var rows = ReadTrainingRows();
        var ml = new MLContext(seed: 7);
        var data = ml.Data.LoadFromEnumerable(rows);
        var featurizer = new TextFeaturizingEstimator.Options
        {
            CaseMode = TextNormalizingEstimator.CaseMode.Lower,
            KeepPunctuations = false,
            KeepDiacritics = false,
            WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true },
            CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = 3, UseAllLengths = false },
        };
        var pipeline = ml.Transforms.Text.FeaturizeText("Features", featurizer, nameof(SentimentRow.Text))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(
                labelColumnName: nameof(SentimentRow.Label), featureColumnName: "Features", l1Regularization: 0f, l2Regularization: 0.0005f));
        var transformer = pipeline.Fit(data);
        var engines = new DefaultObjectPool<PredictionEngine<SentimentRow, SentimentPrediction>>(new EnginePolicy(ml, transformer));
        logger.LogInformation("Built-in sentiment model trained on {Rows} sentences in {Elapsed} ms",
            rows.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("F0"));
        return new Trained(engines);
    }

    private static List<SentimentRow> ReadTrainingRows()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(TrainingResource)
            ?? throw new InvalidOperationException($"Training data {TrainingResource} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var rows = new List<SentimentRow>();
        reader.ReadLine(); // header
        while (reader.ReadLine() is { } line)
        {
            var tab = line.IndexOf('\t');
            if (tab > 0)
            {
                rows.Add(new SentimentRow { Label = line[..tab] == "1", Text = line[(tab + 1)..] });
            }
        }
        return rows;
    }

    private sealed record Trained(ObjectPool<PredictionEngine<SentimentRow, SentimentPrediction>> Engines);

    // Prediction engines are not thread-safe; a pool gives each concurrent caller its own.
    private sealed class EnginePolicy(MLContext ml, ITransformer transformer) : PooledObjectPolicy<PredictionEngine<SentimentRow, SentimentPrediction>>
    {
        public override PredictionEngine<SentimentRow, SentimentPrediction> Create() =>
            ml.Model.CreatePredictionEngine<SentimentRow, SentimentPrediction>(transformer);

        public override bool Return(PredictionEngine<SentimentRow, SentimentPrediction> obj) => true;
    }

    public sealed class SentimentRow
    {
        public bool Label { get; set; }

        public string Text { get; set; } = "";
    }

    public sealed class SentimentPrediction
    {
        [ColumnName("PredictedLabel")]
        public bool Positive { get; set; }

        public float Probability { get; set; }

        public float Score { get; set; }
    }
}
