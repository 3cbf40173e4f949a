"""The fleet: `synctool fleet update|check|plan` over many service repositories.

repos.py parses and shards the repo list; clones.py keeps each repo's clone
in the work folder; mapper.py runs a function over the repos (serially or in
a process pool); update.py and check.py do one repo each and return a record;
report.py and html.py turn the records into JSON, Markdown and an HTML page.
Printing stays in synctool.ui; synctool/commands/fleet/ ties it together.
"""
