# Runs after guide_job_market_predictor.py in the same namespace. The guide's predict() ends in its reader's own model
# ("Your model logic here"); this stand-in records the two answers it is handed, so the guide's method runs unchanged
# from its first line to its return. result takes, in order: the jobs_db answer, the Snowflake answer, the prediction.
import types


class RecordingModel:
    def predict(self, job_data, market_trends):
        self.job_data = job_data
        self.market_trends = market_trends
        return types.SimpleNamespace(salary_range={"min": 100000, "max": 150000}, demand="high", trend=0.12)


predictor.model = RecordingModel()
prediction = await predictor.predict("Software Engineer", "Austin, TX", "6m")
result = predictor.model.job_data
result = predictor.model.market_trends
result = prediction
