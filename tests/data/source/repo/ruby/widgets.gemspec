Gem::Specification.new do |s|
  s.name = "widgets"
  s.version = "0.1.0"
  s.summary = "Widgets"
  s.authors = ["covgap"]
  s.files = Dir["lib/**/*.rb"]
end
